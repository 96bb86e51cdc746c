"""The registries other apps contribute to, and the tag that renders a contributed panel."""

import pytest
from django.template import Context, Template

from vawg.core.registry import AlreadyRegistered, PanelContent, Registry


def test_it_lists_entries_by_order_then_key():
    registry: Registry[str] = Registry("test.items")
    registry.register("b.second", "B", order=20)
    registry.register("z.first", "Z", order=10)
    registry.register("a.second", "A", order=20)
    assert list(registry) == ["Z", "A", "B"]
    assert registry.keys() == ["z.first", "a.second", "b.second"]
    assert len(registry) == 3
    assert "a.second" in registry


def test_registering_the_same_entry_again_is_harmless():
    registry: Registry[str] = Registry("test.items")
    registry.register("app.item", "X", order=5)
    registry.register("app.item", "X", order=5)
    assert list(registry) == ["X"]


def test_it_refuses_a_different_entry_under_a_key_already_taken():
    registry: Registry[str] = Registry("test.items")
    registry.register("app.item", "X")
    with pytest.raises(AlreadyRegistered, match="test.items: 'app.item'"):
        registry.register("app.item", "Y")
    with pytest.raises(AlreadyRegistered):
        registry.register("app.item", "X", order=1)
    assert list(registry) == ["X"]


def test_an_entry_can_be_taken_out():
    registry: Registry[str] = Registry("test.items")
    registry.register("app.item", "X")
    registry.unregister("app.item")
    registry.unregister("app.item")
    assert list(registry) == []


def test_a_panel_renders_its_template_with_its_own_context_on_the_pages(tmp_path, settings):
    (tmp_path / "panel.html").write_text("{{ page_title }}: {{ figure }} <b>{{ markup }}</b>")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]
    page = Template(
        "{% load panels %}{% for content in panels %}[{% panel content %}]{% endfor %}{{ figure }}"
    )
    content = PanelContent("panel.html", {"figure": 7, "markup": "<i>"})
    html = page.render(Context({"page_title": "Action AB.01", "panels": [content]}))
    # The page's own context reaches the panel; the panel's does not leak back out.
    assert html == "[Action AB.01: 7 <b>&lt;i&gt;</b>]"
