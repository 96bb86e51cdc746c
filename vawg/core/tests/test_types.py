"""The type check `make lint` runs (mypy with the Django plugin, configured in pyproject.toml)
covers every app's services and selectors, and fails on a service that breaks its types."""

import tomllib
from pathlib import Path

from mypy import api
from mypy.config_parser import split_and_match_files_list

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / "pyproject.toml"

BROKEN = """
from vawg.core.models import Partnership


def partnership_title(*, partnership: Partnership) -> int:
    return partnership.name


def partnership_count(*, partnership: Partnership) -> int:
    return len(partnership_title(partnership="not a partnership"))
"""

SOUND = """
from vawg.core.models import Partnership


def partnership_title(*, partnership: Partnership) -> str:
    return partnership.name
"""


def test_it_checks_every_apps_services_and_selectors(monkeypatch):
    monkeypatch.chdir(ROOT)
    files = tomllib.loads(CONFIG.read_text())["tool"]["mypy"]["files"]
    checked = {Path(p) for p in split_and_match_files_list(files)}
    apps = [p.parent for p in (ROOT / "vawg").glob("*/apps.py")]
    assert apps
    for app in apps:
        for name in ("services.py", "selectors.py"):
            module = (app / name).relative_to(ROOT)
            if module.exists():
                assert module in checked, f"{module} is not type-checked"


def test_it_reports_a_service_that_breaks_its_types(tmp_path, monkeypatch):
    # One run for both modules (the Django plugin takes some seconds to start): the errors
    # must be the broken module's, and the sound one must pass.
    (tmp_path / "broken_services.py").write_text(BROKEN)
    (tmp_path / "sound_services.py").write_text(SOUND)
    monkeypatch.chdir(ROOT)
    out, err, status = api.run(
        [
            "--config-file",
            str(CONFIG),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            str(tmp_path / "broken_services.py"),
            str(tmp_path / "sound_services.py"),
        ]
    )
    assert status == 1, out + err
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert all("broken_services.py" in line for line in errors), out
    assert any(
        ':6: error: Incompatible return value type (got "str", expected "int")' in line
        for line in errors
    ), out
    assert any(
        ':10: error: Argument "partnership" to "partnership_title" has incompatible type' in line
        for line in errors
    ), out
