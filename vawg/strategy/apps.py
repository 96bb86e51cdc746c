from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "vawg.strategy"
    label = "strategy"
