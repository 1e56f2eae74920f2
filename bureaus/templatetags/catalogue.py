"""Markup repeated once per duty or per bureau on the catalogue, built in Python.

On a catalogue of a few hundred duties, an {% include %} per duty cost ~30 ms a
page and format_html per duty ~10 ms; these tags take ~2 ms in all
(tests/bench/serving.py). They escape every value with html.escape, which is
what django.utils.html.escape calls.
"""

from html import escape

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from core.templatetags.languages import escaped_in_its_language

register = template.Library()


@register.simple_tag
def duty_items(duties):
    """One <li> per duty: its title linked to its page, then its theme badges.

    Themes come from ``listed_themes`` (bureaus.models.attach_listed_themes).
    """
    label = escape(gettext("テーマ"))
    items = []
    for duty in duties:
        badges = "".join(
            f'<li class="theme-badge">{escaped_in_its_language(theme.name)}</li>'
            for theme in duty.listed_themes
        )
        if badges:
            badges = f'<ul class="theme-tags" aria-label="{label}">{badges}</ul>'
        items.append(
            f'<li class="duty-item"><a href="{escape(duty.get_absolute_url())}">'
            f"{escaped_in_its_language(duty.title)}</a>{badges}</li>"
        )
    return SafeString("\n".join(items))


@register.simple_tag
def bureau_contact(bureau):
    """The bureau's contact section and its telephone number, as a call link."""
    section = escape(gettext("%(bureau_name)s %(section)s")) % {
        "bureau_name": escaped_in_its_language(bureau.name),
        "section": escaped_in_its_language(bureau.contact_section),
    }
    return SafeString(
        '<dl class="contact">'
        f"<dt>{escape(gettext('お問合せ先'))}</dt><dd>{section}</dd>"
        f"<dt>{escape(gettext('電話'))}</dt>"
        f'<dd><a href="{escape(bureau.phone_uri)}">{escape(bureau.phone)}</a></dd></dl>'
    )
