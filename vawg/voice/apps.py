from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "vawg.voice"
    label = "voice"
    verbose_name = "Survivor voice"

    def ready(self) -> None:
        from vawg.core.metrics import Unit, register
        from vawg.voice import selectors

        register(
            "voice.feeling_safer",
            label="Survivors feeling safer (%)",
            unit=Unit.PERCENTAGE,
            calculator=selectors.feeling_safer,
            description="Of survey answers in the period to “Do you feel safer?”, the share "
            "answering yes (not sure counts in the total).",
        )
        register(
            "voice.feeling_involved",
            label="Survivors feeling involved in decisions (%)",
            unit=Unit.PERCENTAGE,
            calculator=selectors.feeling_involved,
            description="Of survey answers in the period to “Do you feel involved in decisions "
            "about services?”, the share answering yes (not sure counts in the total).",
        )
