"""Marking text that is not in the page's language (WCAG 3.1.2 Language of Parts)."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


def escaped_in_its_language(text):
    """The text HTML-escaped, in ``<span lang="ja">`` when it is Japanese standing in
    for a blank English field; for markup built in Python (bureaus.templatetags)."""
    if getattr(text, "lang", None):
        return f'<span lang="{text.lang}">{escape(text)}</span>'
    return escape(text)


@register.filter
def in_its_language(text):
    """The text, wrapped in ``<span lang="ja">`` when it is Japanese standing in for a
    blank English field (core.content.JapaneseFallback)."""
    if getattr(text, "lang", None):
        return mark_safe(escaped_in_its_language(text))  # Escaped there.
    return text


@register.filter
def lang_attribute(text):
    """`` lang="ja"`` for an element holding Japanese fallback text, else nothing; for
    texts that go through other filters (linebreaks) that drop the marker."""
    if getattr(text, "lang", None):
        return mark_safe(f' lang="{text.lang}"')  # A fixed language code.
    return ""
