from django import template

from apps.lectures import selectors

register = template.Library()


@register.simple_tag
def page_label(lecture, number):
    """ "p. 7" for a page of a document, "12:34" for a time window of a transcript or recording."""
    return selectors.page_label(lecture, number) if number else ""
