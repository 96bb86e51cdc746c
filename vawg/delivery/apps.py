from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "vawg.delivery"
    label = "delivery"
    verbose_name = "Action plan delivery"

    def ready(self) -> None:
        from vawg.delivery.contributions import register

        register()
