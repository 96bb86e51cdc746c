from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "vawg.measures"
    label = "measures"
    verbose_name = "Measures of success"

    def ready(self) -> None:
        from vawg.measures.contributions import register

        register()
