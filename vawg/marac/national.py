"""SafeLives' national MARAC figures, read from a dated data file an operator keeps.

The figures change when SafeLives publishes a newer dataset, so they live in
`data/safelives/national.json` (its README names each key), not in code. Every page and file
that shows a national comparator names the period and the source from the same file.
"""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The comparators the statistics set beside local figures (statistics.Row keys).
FIGURE_KEYS = (
    "cases_per_10000",
    "repeat_rate",
    "non_police_rate",
    "minoritised_rate",
    "lgbt_rate",
    "disabled_rate",
    "male_rate",
    "age_16_17_rate",
)
REQUIRED = ("publisher", "publication", "url", "period_start", "period_end", "figures")


class NationalDataError(ImproperlyConfigured):
    """The national figures file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class NationalFigures:
    publisher: str
    publication: str
    url: str
    period_start: date
    period_end: date
    expected_cases_per_10000: Decimal | None
    figures: dict[str, Decimal]

    @property
    def period(self) -> str:
        """E.g. "12 months 1 July 2022 to 30 June 2023"."""
        months = (
            (self.period_end.year - self.period_start.year) * 12
            + self.period_end.month
            - self.period_start.month
            + 1
        )
        return f"{months} months {self.period_start:%-d %B %Y} to {self.period_end:%-d %B %Y}"

    @property
    def title(self) -> str:
        return f"{self.publisher}, {self.publication}, {self.period}"

    @property
    def source(self) -> str:
        """The title with its address, for a download's source column."""
        return f"{self.title} ({self.url})"

    def get(self, key: str) -> Decimal | None:
        return self.figures.get(key)


def national_file() -> Path:
    configured = getattr(settings, "MARAC_NATIONAL_FILE", "")
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR) / "data" / "safelives" / "national.json"


_cache: dict[tuple[str, int], NationalFigures] = {}


def national_figures() -> NationalFigures:
    """The figures in the file, read again whenever the file changes."""
    path = national_file()
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError as error:
        raise NationalDataError(f"{path}: the national figures file cannot be read.") from error
    if key not in _cache:
        _cache.clear()
        _cache[key] = parse_national(path.read_text(encoding="utf-8"), name=str(path))
    return _cache[key]


def _number(value, where: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number < 0 or isinstance(value, bool):
        raise NationalDataError(f"{where} must be a number, like 32 or 16.1 (it is {value!r}).")
    return number


def _date(value, where: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise NationalDataError(
            f"{where} must be a date as YYYY-MM-DD (it is {value!r})."
        ) from None


def parse_national(text: str, *, name: str = "national figures") -> NationalFigures:
    """The figures in `text`, or NationalDataError naming what is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NationalDataError(f"{name}: not valid JSON ({error}).") from None
    if not isinstance(data, dict):
        raise NationalDataError(f"{name}: the file must hold one JSON object.")
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise NationalDataError(f"{name}: the file has no {', '.join(missing)}.")
    figures = data["figures"]
    if not isinstance(figures, dict):
        raise NationalDataError(f"{name}: figures must be an object of key and number.")
    unknown = sorted(set(figures) - set(FIGURE_KEYS))
    if unknown:
        raise NationalDataError(
            f"{name}: unknown figure {unknown[0]!r}; the keys are {', '.join(FIGURE_KEYS)}."
        )
    start = _date(data["period_start"], f"{name}: period_start")
    end = _date(data["period_end"], f"{name}: period_end")
    if end < start:
        raise NationalDataError(f"{name}: period_end is before period_start.")
    expected = data.get("expected_cases_per_10000")
    return NationalFigures(
        publisher=str(data["publisher"]).strip(),
        publication=str(data["publication"]).strip(),
        url=str(data["url"]).strip(),
        period_start=start,
        period_end=end,
        expected_cases_per_10000=(
            None
            if expected in (None, "")
            else _number(expected, f"{name}: expected_cases_per_10000")
        ),
        figures={k: _number(v, f"{name}: figure {k}") for k, v in figures.items()},
    )


def check_national_file(app_configs=None, **kwargs) -> list:
    """`manage.py check`: a national figures file that cannot be used, before a page finds it."""
    from django.core.checks import Error

    try:
        national_figures()
    except NationalDataError as error:
        return [Error(str(error), hint="See data/safelives/README.md.", id="marac.E001")]
    return []
