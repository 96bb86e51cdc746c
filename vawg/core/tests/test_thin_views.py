"""Views stay thin: parse the request, call a service or selector, render.

A view that grows past this has taken on a rule, a query or a write that belongs in the
app's services or selectors, where the import, the API and the tests can reach it too.
"""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR) / "vawg"
MOST_LINES = 25


def long_functions(source: str) -> list[str]:
    """Each function in `source` longer than MOST_LINES, from its def to its end."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = node.end_lineno - node.lineno + 1
            if lines > MOST_LINES:
                found.append(f"{node.name} ({lines} lines)")
    return found


def test_a_long_function_is_found():
    body = "\n".join(f"    x{n} = {n}" for n in range(MOST_LINES))
    assert long_functions(f"def view(request):\n{body}\n") == [f"view ({MOST_LINES + 1} lines)"]
    assert long_functions("def view(request):\n    return 1\n") == []


def test_no_view_is_over_the_limit():
    modules = sorted({*ROOT.glob("*/views.py"), *ROOT.glob("*/*_views.py")})
    assert len(modules) > 10
    problems = {
        str(path.relative_to(ROOT)): found
        for path in modules
        if (found := long_functions(path.read_text(encoding="utf-8")))
    }
    assert problems == {}
