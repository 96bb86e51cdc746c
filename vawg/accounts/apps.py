from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vawg.accounts"
    label = "accounts"

    def ready(self) -> None:
        from vawg.accounts import signals  # noqa: F401  (sign-in auditing)
