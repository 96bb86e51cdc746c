from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "vawg.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from vawg.reports.contributions import register as register_plan
        from vawg.reports.home import register as register_home

        register_home()
        register_plan()
