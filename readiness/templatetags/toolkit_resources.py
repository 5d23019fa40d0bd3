from django import template

from readiness.resources import item_html, link_prompt

register = template.Library()


@register.filter
def resource_links(prompt: str):
    """``{{ prompt|resource_links }}``: the prompt with its pointers to the supporting resources
    as links to the resources page."""
    return link_prompt(prompt)


@register.filter
def resource_item(item: dict):
    """``{{ item|resource_item }}``: a supporting resource's wording with its hyperlink."""
    return item_html(item)
