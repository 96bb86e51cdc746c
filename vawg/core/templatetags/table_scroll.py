"""A wide table that scrolls sideways inside its own box, so the page itself never does."""

import re
from html import unescape

from django import template
from django.utils.safestring import mark_safe
from django.utils.text import slugify

register = template.Library()

CAPTION = re.compile(r"<caption\b([^>]*)>(.*?)</caption>", re.IGNORECASE | re.DOTALL)
ID = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
TAGS = re.compile(r"<[^>]+>")


def _named_by_caption(table: str, context: template.Context) -> tuple[str, str]:
    """The table (its caption given an id if it had none) and its caption's id.

    The ids given are kept on the context, which every include on the page shares, so
    two tables with the same caption still get distinct ids."""
    found = CAPTION.search(table)
    if found is None:
        return table, ""
    has_id = ID.search(found.group(1))
    if has_id:
        return table, has_id.group(1)
    used = context.__dict__.setdefault("_table_scroll_ids", set())
    words = slugify(unescape(TAGS.sub(" ", found.group(2))))[:40].strip("-")
    base = f"caption-{words or 'table'}"
    caption_id, n = base, 1
    while caption_id in used:
        n += 1
        caption_id = f"{base}-{n}"
    used.add(caption_id)
    start = found.start() + len("<caption")
    return f'{table[:start]} id="{caption_id}"{table[start:]}', caption_id


class TableScrollNode(template.Node):
    def __init__(self, nodelist: template.NodeList, labelledby):
        self.nodelist = nodelist
        self.labelledby = labelledby

    def render(self, context) -> str:
        table = self.nodelist.render(context)
        if self.labelledby is not None:
            labelledby = self.labelledby.resolve(context)
        else:
            table, labelledby = _named_by_caption(table, context)
        found = context.template.engine.get_template("includes/table_scroll.html")
        # The table as its template rendered (and escaped) it; the id added is a slug.
        with context.push(table=mark_safe(table), labelledby=labelledby):  # noqa: S308
            return found.render(context)


@register.tag
def table_scroll(parser, token):
    """`{% table_scroll %}<table><caption>…</caption>…</table>{% endtable_scroll %}`.

    The region is named by the table's caption, for screen readers: its id, given as
    `{% table_scroll "caption-id" %}`, or found in the caption (one is added if it has
    none). A table without a caption gets a region named "Table", which says little:
    give it a caption.
    """
    bits = token.split_contents()
    if len(bits) > 2:
        raise template.TemplateSyntaxError("table_scroll takes at most the id of the caption")
    nodelist = parser.parse(("endtable_scroll",))
    parser.delete_first_token()
    return TableScrollNode(nodelist, parser.compile_filter(bits[1]) if len(bits) == 2 else None)
