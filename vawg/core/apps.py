from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vawg.core"
    label = "core"
