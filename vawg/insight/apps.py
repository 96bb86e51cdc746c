from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "vawg.insight"
    label = "insight"
    verbose_name = "Local insight"

    def ready(self) -> None:
        from vawg.insight import metrics
        from vawg.insight.contributions import register

        metrics.register()
        register()
