from django.apps import AppConfig


class MaracConfig(AppConfig):
    name = "vawg.marac"
    label = "marac"
    verbose_name = "Identification and MARAC"
