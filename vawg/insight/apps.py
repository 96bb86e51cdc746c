from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "vawg.insight"
    label = "insight"
    verbose_name = "Local insight"
