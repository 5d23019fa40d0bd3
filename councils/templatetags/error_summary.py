"""``{% error_summary %}``: the NHS error summary's frame (the alert, its heading and body) around
what a page says about its problems.

    {% load error_summary %}
    {% error_summary "Some answers are too long" %}
      <p>Nothing was saved.</p>
      <ul class="nhsuk-list nhsuk-error-summary__list">...</ul>
    {% enderror_summary %}

The one argument is the heading; the body is written as it is, without the white space around it.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()


class ErrorSummaryNode(template.Node):
    def __init__(self, heading, nodelist):
        self.heading, self.nodelist = heading, nodelist

    def render(self, context):
        return render_to_string(
            "includes/error_summary.html",
            {
                "heading": self.heading.resolve(context),
                "body": mark_safe(self.nodelist.render(context).strip()),  # rendered (escaped)
            },
        ).rstrip("\n")


@register.tag
def error_summary(parser, token):
    bits = token.split_contents()[1:]
    if len(bits) != 1:
        raise template.TemplateSyntaxError("error_summary takes one argument, the heading")
    nodelist = parser.parse(("enderror_summary",))
    parser.delete_first_token()
    return ErrorSummaryNode(parser.compile_filter(bits[0]), nodelist)
