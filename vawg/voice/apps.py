from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "vawg.voice"
    label = "voice"
    verbose_name = "Survivor voice"
