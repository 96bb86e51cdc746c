"""A wide table that scrolls sideways inside its own box, so the page itself never does."""

from django import template

register = template.Library()


class TableScrollNode(template.Node):
    def __init__(self, nodelist: template.NodeList, labelledby: template.base.FilterExpression):
        self.nodelist = nodelist
        self.labelledby = labelledby

    def render(self, context) -> str:
        found = context.template.engine.get_template("includes/table_scroll.html")
        with context.push(
            table=self.nodelist.render(context), labelledby=self.labelledby.resolve(context)
        ):
            return found.render(context)


@register.tag
def table_scroll(parser, token):
    """`{% table_scroll "caption-id" %}<table>…</table>{% endtable_scroll %}`.

    The id is the table caption's: it names the scrolling region for screen readers.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("table_scroll takes the id of the table's caption")
    nodelist = parser.parse(("endtable_scroll",))
    parser.delete_first_token()
    return TableScrollNode(nodelist, parser.compile_filter(bits[1]))
