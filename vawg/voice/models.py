"""Survivor voice: anonymous feedback, short surveys, engagement sessions and
"you said, we did".

Nothing here identifies a sender: no address, no account, no contact details,
and the day a submission arrived rather than its moment. What survivors write
is held encrypted (core.fields.EncryptedTextField). Sessions record themes, never names.
"""

from django.conf import settings
from django.db import models

from vawg.core.fields import EncryptedTextField
from vawg.core.models import Partnership
from vawg.strategy.models import Action, Priority

FEEDBACK_MAX = 2000
ANSWER_MAX = 1000


class SafeguardingRoute(models.Model):
    """What staff do when feedback suggests someone may be in danger: set by each partnership."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="safeguarding_route"
    )
    text = models.TextField(
        help_text="What to do, step by step, when feedback suggests someone is in danger."
    )
    contact = models.CharField(
        max_length=300, help_text="Who to contact: a team, a duty line, a shared mailbox."
    )
    # A shared mailbox told (by a background task) when feedback is marked for the route.
    # The email says only that an item needs attention, with a link: never what was written.
    notify_email = models.EmailField(
        blank=True, help_text="A shared mailbox told when feedback is marked for the route."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Safeguarding route for {self.partnership}"


class Theme(models.Model):
    """Something survivors keep raising, and the partnership's response to it."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=120)
    you_said = models.TextField(
        blank=True, help_text="What survivors told us, in summary. No quotes that could identify."
    )
    we_did = models.TextField(blank=True, help_text="What the partnership has done in response.")
    published = models.BooleanField(
        default=False, help_text="Shown on the public “You said, we did” page."
    )
    actions = models.ManyToManyField(Action, blank=True, related_name="voice_themes")
    priorities = models.ManyToManyField(Priority, blank=True, related_name="voice_themes")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="voice_theme_unique_name"),
            # Nothing half-written goes public.
            models.CheckConstraint(
                condition=models.Q(published=False)
                | (~models.Q(you_said="") & ~models.Q(we_did="")),
                name="voice_theme_published_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FeedbackQuerySet(models.QuerySet):
    def for_triage(self) -> "FeedbackQuerySet":
        return self.select_related("safeguarding_marked_by").prefetch_related(
            "themes", "actions", "priorities"
        )


class Feedback(models.Model):
    """One anonymous message from the public form."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        TRIAGED = "triaged", "Triaged"
        CLOSED = "closed", "Closed"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="voice_feedback"
    )
    # The day only: an exact time could be matched against other records of a visit.
    received_on = models.DateField()
    text = EncryptedTextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    safeguarding = models.BooleanField(
        default=False, help_text="Suggests someone may be in danger: follow the safeguarding route."
    )
    safeguarding_marked_at = models.DateTimeField(null=True, blank=True)
    safeguarding_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the route's mailbox was told of the current mark (so a task run twice sends once).
    safeguarding_notified_at = models.DateTimeField(null=True, blank=True)
    triage_note = models.TextField(blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="feedback")
    actions = models.ManyToManyField(Action, blank=True, related_name="voice_feedback")
    priorities = models.ManyToManyField(Priority, blank=True, related_name="voice_feedback")

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name_plural = "feedback"
        indexes = [models.Index(fields=["partnership", "status", "-received_on"])]

    def __str__(self) -> str:
        return f"Feedback {self.pk} ({self.received_on})"


class Session(models.Model):
    """A survivor forum, expert-by-experience panel or consultation: themes, never names."""

    class Kind(models.TextChoices):
        FORUM = "forum", "Survivor forum"
        PANEL = "panel", "Expert-by-experience panel"
        CONSULTATION = "consultation", "Consultation"
        WORKSHOP = "workshop", "Workshop"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="voice_sessions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    held_on = models.DateField()
    title = models.CharField(max_length=200)
    attendance = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many took part, if known. A number, never names."
    )
    summary = models.TextField(help_text="What was discussed, by theme. No names.")
    themes = models.ManyToManyField(Theme, blank=True, related_name="sessions")

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class Survey(models.Model):
    """A short survey with fixed questions; each partnership has its own."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="voice_surveys"
    )
    slug = models.SlugField()
    title = models.CharField(max_length=150)
    intro = models.TextField(blank=True)
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="voice_survey_unique_slug")
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    partnership_path = "survey__partnership"

    class Kind(models.TextChoices):
        YES_NO = "yes_no", "Yes, no or not sure"
        TEXT = "text", "Free text"

    class Topic(models.TextChoices):
        SAFER = "safer", "Feeling safer"
        BELIEVED = "believed", "Feeling believed"
        SUPPORTED = "supported", "Feeling supported"
        INVOLVED = "involved", "Feeling involved in decisions"
        WHAT_WOULD_HELP = "help", "What would help"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    topic = models.CharField(max_length=10, choices=Topic.choices)
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "order"], name="voice_question_unique_order"),
            models.UniqueConstraint(fields=["survey", "topic"], name="voice_question_unique_topic"),
        ]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    partnership_path = "survey__partnership"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    received_on = models.DateField()

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["survey", "received_on"])]

    def __str__(self) -> str:
        return f"Response {self.pk} ({self.received_on})"


class Answer(models.Model):
    partnership_path = "response__survey__partnership"

    class Choice(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_SURE = "not_sure", "Not sure"

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choice = models.CharField(max_length=10, choices=Choice.choices, blank=True)
    text = EncryptedTextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="voice_answer_one_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk}"
