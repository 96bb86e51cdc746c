from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "vawg.learning"
    label = "learning"
    verbose_name = "Partnership learning"

    def ready(self) -> None:
        from vawg.learning.contributions import register
        from vawg.learning.metrics import register_all

        register_all()
        register()
