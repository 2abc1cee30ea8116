from django import template

from apps.chat.rendering import citation_link

register = template.Library()


@register.simple_tag
def citation(item: dict):
    """A citation pill ({lecture_id, lecture_name, page, …}) that opens the page in the side panel."""
    return citation_link(item)
