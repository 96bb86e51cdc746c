from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "vawg.api"
    label = "api"
    verbose_name = "Partner API"

    def ready(self) -> None:
        from vawg.api.home import register

        register()
