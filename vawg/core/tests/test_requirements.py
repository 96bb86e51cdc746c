"""The lock files: production apart from development, both pinned with hashes."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")
DIRECT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _locked(filename: str) -> dict[str, tuple[str, int]]:
    """Each pinned package's version and how many hashes it carries."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / filename).read_text().splitlines():
        if match := PIN.match(line):
            current = _name(match[1])
            pins[current] = (match[2], 0)
        elif line.strip().startswith("--hash=sha256:") and current:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _direct(filename: str) -> set[str]:
    names = set()
    for line in (ROOT / filename).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-") and (match := DIRECT.match(line)):
            names.add(_name(match[1]))
    return names


def test_every_pin_in_both_locks_carries_a_hash():
    for filename in ("requirements-pip.txt", "requirements.txt", "requirements-dev.txt"):
        unhashed = [name for name, (_, hashes) in _locked(filename).items() if not hashes]
        assert unhashed == [], f"{filename}: {unhashed}"


def test_pip_is_installed_first_at_the_version_the_development_lock_pins():
    """A new virtualenv's pip cannot install a pin another package asks for with extras,
    so the Makefile installs the locked pip before anything else."""
    assert _locked("requirements-pip.txt")["pip"][0] == _locked("requirements-dev.txt")["pip"][0]
    makefile = (ROOT / "Makefile").read_text()
    assert makefile.index("-r requirements-pip.txt") < makefile.index("-r requirements-dev.txt")


def test_development_lock_holds_production_pins_exactly():
    production = _locked("requirements.txt")
    development = _locked("requirements-dev.txt")
    differing = {
        name: (version, development.get(name, ("missing",))[0])
        for name, (version, _) in production.items()
        if development.get(name, ("missing",))[0] != version
    }
    assert differing == {}


def test_production_lock_holds_no_development_tool():
    tools = _direct("requirements-dev.in") - _direct("requirements.in")
    assert {"pytest", "ruff", "hypothesis", "pandas", "locust"} <= tools
    assert tools & set(_locked("requirements.txt")) == set()


def test_each_direct_dependency_is_locked():
    assert _direct("requirements.in") <= set(_locked("requirements.txt"))
    assert _direct("requirements-dev.in") <= set(_locked("requirements-dev.txt"))


def test_locks_name_no_index_or_local_path():
    for filename in ("requirements-pip.txt", "requirements.txt", "requirements-dev.txt"):
        options = [
            line
            for line in (ROOT / filename).read_text().splitlines()
            if line.startswith("-") or "file:/" in line
        ]
        assert options == [], f"{filename}: {options}"
