"""The disclosure rule lives in one place: read from the code's syntax tree, nothing
outside vawg/core/disclosure.py builds a figure as shown, rounds a count, or reads the
rule's settings. A second copy of the rule would fail here before it reached a page."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # vawg/
RULE = ROOT / "core" / "disclosure.py"
# Only the rule itself may make a figure, or call its own building blocks.
PRIVATE = {"Figure", "controlled_value", "_whole", "_hidden", "round_to_base"}
SETTINGS = {"DISCLOSURE_THRESHOLD", "DISCLOSURE_ROUNDING_BASE", "DISCLOSURE_KEY"}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _constant(node: ast.AST) -> int | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, int) else None


def findings(source: str) -> list[str]:
    """What in `source` does the rule's work itself: (line, what) for each finding."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name in PRIVATE:
                found.append(f"{line}: calls {name}()")
            if name == "round" and len(node.args) == 2:
                places = node.args[1]
                negative = isinstance(places, ast.UnaryOp) and isinstance(places.op, ast.USub)
                if negative:
                    found.append(f"{line}: rounds to tens or more with round()")
            setting = getattr(node.args[1], "value", None) if len(node.args) >= 2 else None
            if name == "getattr" and setting in SETTINGS:
                found.append(f"{line}: reads {setting}")
        if isinstance(node, ast.Attribute) and node.attr in SETTINGS:
            found.append(f"{line}: reads {node.attr}")
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("disclosure"):
            # Figure may be imported as a type; only the rule's own steps may not.
            for alias in node.names:
                if alias.name in PRIVATE - {"Figure"}:
                    found.append(f"{line}: imports {alias.name}")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            # (n // 5) * 5, or 5 * (n // 5): a count rounded down to a base.
            for inner, outer in ((node.left, node.right), (node.right, node.left)):
                base = _constant(outer)
                if (
                    base
                    and base > 1
                    and isinstance(inner, ast.BinOp)
                    and isinstance(inner.op, ast.FloorDiv)
                    and _constant(inner.right) == base
                ):
                    found.append(f"{line}: rounds to a multiple of {base}")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
            # n - n % 5: the same, written another way.
            right = node.right
            if (
                isinstance(right, ast.BinOp)
                and isinstance(right.op, ast.Mod)
                and (_constant(right.right) or 0) > 1
                and ast.dump(right.left) == ast.dump(node.left)
            ):
                found.append(f"{line}: rounds to a multiple of {_constant(right.right)}")
    return found


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if path == RULE or "tests" in parts or "migrations" in parts:
            continue
        yield path


def test_no_code_outside_the_rule_shows_a_figure_or_rounds_a_count():
    problems = {
        str(path.relative_to(ROOT)): found
        for path in _modules()
        if (found := findings(path.read_text(encoding="utf-8")))
    }
    assert problems == {}


@pytest.mark.parametrize(
    "source",
    [
        "from vawg.core.disclosure import Figure\nshown = Figure(None, 'fewer than 5')",
        "from vawg.core import disclosure\nx = disclosure.Figure(3, '3')",
        "shown = (count + 2) // 5 * 5",
        "shown = 5 * (count // 5)",
        "shown = count - count % 5",
        "shown = round(count, -1)",
        "from django.conf import settings\nlimit = settings.DISCLOSURE_THRESHOLD",
        "limit = getattr(settings, 'DISCLOSURE_THRESHOLD', 5)",
        "from vawg.core.disclosure import controlled_value\nv = controlled_value(12, 3)",
    ],
)
def test_the_check_finds_a_copy_of_the_rule(source):
    assert findings(source)


def test_the_check_lets_the_rule_be_called():
    source = (
        "from vawg.core import disclosure\n"
        "shown = disclosure.count(disclosure.tally('x.Y', ids), audience)\n"
        "share = disclosure.rate(shown, disclosure.as_is(40))\n"
        "pages = total // 25 + 1\n"
    )
    assert findings(source) == []
