"""``{% data_table %}``: the frame every data table of the portal shares (a keyboard-scrollable
region, so a wide table never overflows a 320 px screen; the caption; the column headers) around
the rows a page writes itself.

    {% load tables %}
    {% data_table "Cycles" "Cycles opened in "|add:org.name "Cycle" "Due" %}
      {% for cycle in cycles %}<tr class="nhsuk-table__row">...</tr>{% endfor %}
    {% enddata_table %}

Arguments: the region's accessible name, the caption, then one column header each (a list
stands for one header each of its items). The caption
is visually hidden unless ``show_caption=True`` is given; ``table_class="..."`` adds classes to
the table; ``hide_last_header=True`` shows the last header to screen readers only (a column of
buttons, say).
"""

from django import template
from django.template.base import token_kwargs
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()


class DataTableNode(template.Node):
    def __init__(self, args, kwargs, nodelist):
        self.args, self.kwargs, self.nodelist = args, kwargs, nodelist

    def render(self, context):
        label, caption, *values = (arg.resolve(context) for arg in self.args)
        headers = [
            header
            for value in values
            for header in (value if isinstance(value, (list, tuple)) else [value])
        ]
        options = {name: value.resolve(context) for name, value in self.kwargs.items()}
        return render_to_string(
            "includes/data_table.html",
            {
                "label": label,
                "caption": caption,
                "headers": headers,
                "show_caption": options.get("show_caption", False),
                "table_class": options.get("table_class", ""),
                "hide_last_header": options.get("hide_last_header", False),
                "rows": mark_safe(self.nodelist.render(context)),  # rendered (escaped) above
            },
        )


@register.tag
def data_table(parser, token):
    bits = token.split_contents()[1:]
    kwargs = {}
    args = []
    while bits:
        found = token_kwargs(bits[:1], parser)
        if found:
            kwargs.update(found)
        else:
            args.append(parser.compile_filter(bits[0]))
        bits = bits[1:]
    if len(args) < 3:
        raise template.TemplateSyntaxError(
            "data_table takes a label, a caption and at least one column header"
        )
    nodelist = parser.parse(("enddata_table",))
    parser.delete_first_token()
    return DataTableNode(args, kwargs, nodelist)
