"""The shared wrapper for a wide table: a focusable region named by the table's caption."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError


def test_the_table_sits_in_a_focusable_region_named_by_its_caption():
    html = Template(
        '{% load table_scroll %}{% table_scroll "c-"|add:view %}'
        '<table><caption id="c-{{ view }}">Themes</caption></table>{% endtable_scroll %}'
    ).render(Context({"view": "all"}))
    assert (
        'class="app-table-scroll" role="region" aria-labelledby="c-all-region c-all" tabindex="0"'
        in html
    )
    # "Table: Themes", so that a section headed "Themes" and its table are told apart.
    assert '<span hidden id="c-all-region">Table:</span>' in html
    assert '<table><caption id="c-all">Themes</caption></table>' in html
    assert "Scroll sideways to see the whole table." in html
    assert html.index("Scroll sideways") < html.index("<table>")


def test_without_an_id_the_region_is_named_by_the_caption_s_own_id():
    html = Template(
        '{% load table_scroll %}{% table_scroll %}<table><caption class="c" id="mine">Themes'
        "</caption></table>{% endtable_scroll %}"
    ).render(Context())
    assert 'aria-labelledby="mine-region mine"' in html


def test_a_caption_without_an_id_is_given_one_distinct_on_the_page():
    html = Template(
        "{% load table_scroll %}"
        "{% for n in rows %}{% table_scroll %}<table><caption>Cases &amp; actions</caption>"
        "</table>{% endtable_scroll %}{% endfor %}"
    ).render(Context({"rows": [1, 2]}))
    assert html.count('<caption id="caption-cases-actions">') == 1
    assert html.count('<caption id="caption-cases-actions-2">') == 1
    assert 'aria-labelledby="caption-cases-actions-region caption-cases-actions"' in html
    assert 'aria-labelledby="caption-cases-actions-2-region caption-cases-actions-2"' in html


def test_a_table_without_a_caption_still_gets_a_named_region():
    html = Template(
        "{% load table_scroll %}{% table_scroll %}<table></table>{% endtable_scroll %}"
    ).render(Context())
    assert 'role="region" aria-label="Table" tabindex="0"' in html


def test_it_takes_at_most_the_caption_s_id():
    with pytest.raises(TemplateSyntaxError):
        Template('{% load table_scroll %}{% table_scroll "a" "b" %}{% endtable_scroll %}')


def _templates() -> dict[str, tuple[Path, str]]:
    """Every template of ours by the name it is included by ("reports/pack.html")."""
    found = {}
    for path in sorted(Path(settings.BASE_DIR).glob("**/templates/**/*.*")):
        if path.suffix not in (".html", ".css"):
            continue
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        name = "/".join(path.parts[len(path.parts) - path.parts[::-1].index("templates") :])
        found[name] = (path, path.read_text(encoding="utf-8"))
    return found


def _printed(templates: dict[str, tuple[Path, str]]) -> set[str]:
    """Printed documents (a PDF's pages, with @page rules), never shown on a phone, and the
    parts that only printed documents include."""
    pages = {name for name, (_, text) in templates.items() if "@page" in text}
    printed = pages | {
        name
        for name, (_, text) in templates.items()
        if any(f'"{sheet}"' in text for sheet in pages)
    }
    for name in templates:
        includers = [other for other, (_, text) in templates.items() if f'"{name}"' in text]
        if includers and all(other in printed for other in includers):
            printed.add(name)
    return printed


def test_every_table_in_our_templates_scrolls_in_its_own_region():
    """A table is as wide as its columns: on a phone only its own region may scroll."""
    templates = _templates()
    printed = _printed(templates)
    unwrapped = []
    for name, (path, text) in templates.items():
        if name in printed:
            continue
        depth = 0
        for number, line in enumerate(text.splitlines(), 1):
            depth += line.count("{% table_scroll") - line.count("{% endtable_scroll")
            if "<table" in line and depth <= 0:
                unwrapped.append(f"{path.relative_to(settings.BASE_DIR)}:{number}")
    assert not unwrapped, "Wrap these in {% table_scroll %}: " + ", ".join(unwrapped)
    assert "reports/includes/pack_table.html" in printed  # the rule above is not vacuous
