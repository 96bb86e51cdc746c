"""Demo step: identification and marac."""

from datetime import date


def load(*, today: date, rng, stdout) -> None:
    stdout.write("  nothing yet\n")
