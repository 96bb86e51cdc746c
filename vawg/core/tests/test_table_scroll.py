"""The shared wrapper for a wide table: a focusable region named by the table's caption."""

import pytest
from django.template import Context, Template, TemplateSyntaxError


def test_the_table_sits_in_a_focusable_region_named_by_its_caption():
    html = Template(
        '{% load table_scroll %}{% table_scroll "c-"|add:view %}'
        '<table><caption id="c-{{ view }}">Themes</caption></table>{% endtable_scroll %}'
    ).render(Context({"view": "all"}))
    assert 'class="app-table-scroll" role="region" aria-labelledby="c-all" tabindex="0"' in html
    assert '<table><caption id="c-all">Themes</caption></table>' in html
    assert "Scroll sideways to see the whole table." in html
    assert html.index("Scroll sideways") < html.index("<table>")


def test_the_caption_id_is_required():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load table_scroll %}{% table_scroll %}<table></table>{% endtable_scroll %}")
