"""What a token may do. A token holds a set of these; each endpoint asks for one."""

from django.db import models


class Scope(models.TextChoices):
    READ_PLAN = "read:plan", "Read the plan: strategies, priorities, actions, 'you said, we did'"
    READ_FIGURES = "read:figures", "Read figures: measures, local insight, MARAC statistics"
    WRITE_PROGRESS = "write:progress", "Send progress updates for actions the organisation leads"
    WRITE_MEASURES = "write:measures", "Send measure values for measures the organisation owns"
    UPLOAD_EXTRACTS = "write:extracts", "Upload partner data extracts, check them and import them"
