from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "vawg.delivery"
    label = "delivery"
    verbose_name = "Action plan delivery"
