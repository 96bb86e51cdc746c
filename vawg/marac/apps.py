from django.apps import AppConfig


class MaracConfig(AppConfig):
    name = "vawg.marac"
    label = "marac"
    verbose_name = "Identification and MARAC"

    def ready(self) -> None:
        from django.core import checks

        from vawg.marac.contributions import register
        from vawg.marac.national import check_national_file
        from vawg.marac.statistics import register_metrics

        register_metrics()
        register()
        checks.register(check_national_file)
