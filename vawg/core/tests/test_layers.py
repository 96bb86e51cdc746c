"""The layers between the apps hold, and a module that breaks one fails the build.

The contracts are import-linter's, in pyproject.toml; `make lint` runs `lint-imports` on
them. These tests run the same command: on the project as it is, and on a throwaway
`vawg` package in a temporary folder (the real contracts, copied beside it) holding one
import each contract must refuse or allow. Nothing is written into the source tree.
"""

import os
import shutil
import subprocess  # noqa: S404  (runs the project's own lint-imports, no shell)
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
# The apps whose layers are required; exchange, reports and api are optional.
APPS = [
    "core",
    "audit",
    "accounts",
    "strategy",
    "delivery",
    "measures",
    "voice",
    "learning",
    "directory",
    "insight",
    "marac",
]


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    """`lint-imports` as `make lint` runs it, on the `vawg` package found in `folder`."""
    # Wide enough that no report line is wrapped where a test looks for it.
    env = {**os.environ, "PYTHONPATH": str(folder), "COLUMNS": "200"}
    return subprocess.run(  # noqa: S603  (a fixed argument list)
        [str(LINT_IMPORTS), "--no-cache", str(folder / "pyproject.toml")],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def write_module(folder: Path, dotted: str, source: str = "") -> None:
    """`dotted` as a module under `folder`, each package on the way with an __init__.py."""
    parts = dotted.split(".")
    package = folder
    for part in parts[:-1]:
        package = package / part
        package.mkdir(exist_ok=True)
        (package / "__init__.py").touch()
    (package / f"{parts[-1]}.py").write_text(source)


def skeleton(folder: Path, importer: str, imported: str) -> Path:
    """Each app with empty modules of the usual names, the real contracts, and one import."""
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    for app in APPS:
        for module in ("models", "services", "selectors", "views"):
            write_module(folder, f"vawg.{app}.{module}")
    write_module(folder, imported)
    write_module(folder, importer, f"import {imported}  # noqa: F401\n")
    return folder


def test_the_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


BREAKS = [
    # core imports no other app: a command that audits lives in audit.
    ("vawg.core.management.commands.backup", "vawg.audit.services", "vawg.core is not allowed"),
    ("vawg.core.access", "vawg.accounts.models", "vawg.core is not allowed"),
    # accounts records in audit; audit never reads accounts.
    ("vawg.audit.selectors", "vawg.accounts.models", "vawg.audit is not allowed"),
    # The shared importer sits below the domain apps.
    ("vawg.exchange.importer", "vawg.strategy.models", "vawg.exchange is not allowed"),
    # Domain apps: only delivery, measures, voice and learning may import strategy.
    ("vawg.strategy.views", "vawg.learning.selectors", "strategy is not allowed to import"),
    ("vawg.strategy.editing", "vawg.delivery.models", "strategy is not allowed to import"),
    ("vawg.delivery.views", "vawg.measures.selectors", "delivery is not allowed to import"),
    ("vawg.directory.views", "vawg.strategy.models", "directory is not allowed to import"),
    ("vawg.insight.views", "vawg.marac.selectors", "insight is not allowed to import"),
    # MARAC's data stays out of insight, directory and voice even in their tests.
    ("vawg.insight.tests.test_x", "vawg.marac.models", "insight is not allowed to import"),
    ("vawg.voice.tests.test_x", "vawg.marac.models", "voice is not allowed to import vawg.marac"),
    (
        "vawg.directory.services",
        "vawg.marac.models",
        "directory is not allowed to import vawg.marac",
    ),
    # Reports and the API read the domain apps' selectors, not their models or services.
    (
        "vawg.reports.sections",
        "vawg.delivery.models",
        "sections is not allowed to import vawg.delivery",
    ),
    ("vawg.api.views", "vawg.strategy.services", "views is not allowed to import vawg.strategy"),
    # Nothing below the top imports it.
    ("vawg.strategy.selectors", "vawg.reports.sections", "vawg.strategy is not allowed"),
    # A new app must be given its layer.
    ("vawg.newapp.models", "vawg.core.models", "not listed as layers"),
]


@pytest.mark.parametrize(("importer", "imported", "message"), BREAKS)
def test_an_import_that_breaks_a_contract_fails_the_check(tmp_path, importer, imported, message):
    result = lint_imports(skeleton(tmp_path, importer, imported))
    assert result.returncode == 1, result.stdout + result.stderr
    assert message in result.stdout


ALLOWED = [
    ("vawg.accounts.services", "vawg.audit.services"),
    ("vawg.audit.services", "vawg.core.models"),
    ("vawg.exchange.importer", "vawg.audit.services"),
    ("vawg.marac.services", "vawg.exchange.importer"),
    ("vawg.delivery.contributions", "vawg.strategy.registries"),
    ("vawg.measures.models", "vawg.strategy.models"),
    ("vawg.voice.models", "vawg.strategy.models"),
    ("vawg.learning.forms", "vawg.strategy.models"),
    ("vawg.reports.sections", "vawg.measures.selectors"),
    ("vawg.api.views", "vawg.reports.sections"),
    # A test may set up another app's data.
    ("vawg.core.tests.test_url_sweep", "vawg.marac.views"),
    ("vawg.audit.tests.test_event_list", "vawg.accounts.testing"),
    ("vawg.strategy.tests.test_editing", "vawg.delivery.models"),
]


@pytest.mark.parametrize(("importer", "imported"), ALLOWED)
def test_an_import_the_layers_allow_passes_the_check(tmp_path, importer, imported):
    result = lint_imports(skeleton(tmp_path, importer, imported))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_break_in_the_real_code_fails_the_check(tmp_path):
    """The project's own modules, copied, with one panel fetched the old way round."""
    shutil.copytree(
        ROOT / "vawg",
        tmp_path / "vawg",
        ignore=lambda folder, names: [
            n
            for n in names
            if n == "__pycache__" or not (n.endswith(".py") or Path(folder, n).is_dir())
        ],
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    write_module(
        tmp_path,
        "vawg.strategy.shortcut",
        "from vawg.learning.selectors import learning_for_action\n",
    )
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "vawg.strategy.shortcut -> vawg.learning.selectors" in result.stdout
