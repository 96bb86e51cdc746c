from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "vawg.directory"
    label = "directory"
    verbose_name = "Support directory"

    def ready(self) -> None:
        from vawg.directory.contributions import register

        register()
