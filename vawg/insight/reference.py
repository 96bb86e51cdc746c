"""The curated reference data in data/wards/: each partnership's wards and old-to-new links."""

import csv
from datetime import date
from pathlib import Path

from django.conf import settings

from vawg.core.models import Partnership
from vawg.insight import services

WARDS_DIR = Path(settings.BASE_DIR) / "data" / "wards"
SOURCE = "data/wards (LGBCE final recommendations, 2020; best-fit successors)"


def ward_file(partnership: Partnership) -> Path:
    return WARDS_DIR / f"{partnership.slug}.csv"


def load_wards(partnership: Partnership) -> int:
    """Load the curated ward list for `partnership`, if there is one (idempotent)."""
    path = ward_file(partnership)
    if not path.exists():
        return 0
    with path.open(newline="", encoding="utf-8") as handle:
        wards = [
            {
                "name": row["name"],
                "valid_from": date.fromisoformat(row["valid_from"]) if row["valid_from"] else None,
                "valid_to": date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
                "successor": row["successor"],
            }
            for row in csv.DictReader(handle)
        ]
    return services.wards_ensure(partnership=partnership, wards=wards, source=SOURCE)
