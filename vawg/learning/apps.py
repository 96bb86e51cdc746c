from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "vawg.learning"
    label = "learning"
    verbose_name = "Partnership learning"
