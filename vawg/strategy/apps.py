from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "vawg.strategy"
    label = "strategy"

    def ready(self) -> None:
        from vawg.strategy.contributions import register

        register()
