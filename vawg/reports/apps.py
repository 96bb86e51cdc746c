from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "vawg.reports"
    label = "reports"
    verbose_name = "Reports"
