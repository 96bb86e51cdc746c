from django.apps import AppConfig


class MaracConfig(AppConfig):
    name = "vawg.marac"
    label = "marac"
    verbose_name = "Identification and MARAC"

    def ready(self) -> None:
        from vawg.marac.contributions import register
        from vawg.marac.statistics import register_metrics

        register_metrics()
        register()
