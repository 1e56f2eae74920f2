"""Template tags for the page's <head>: one block's text used in several meta tags."""

import html
import re

from django import template
from django.utils.html import strip_tags
from django.utils.text import Truncator

register = template.Library()


def plain_text(rendered, limit=None):
    """Rendered markup as one line of plain text, cut to ``limit`` characters with an ellipsis.

    The result is unescaped: the template escapes it again where it is shown, so
    a keyword like ``"a & b"`` is neither lost nor escaped twice.
    """
    text = " ".join(html.unescape(strip_tags(rendered)).split())
    return Truncator(text).chars(limit) if limit else text


class CaptureTextNode(template.Node):
    def __init__(self, nodelist, name, limit):
        self.nodelist = nodelist
        self.name = name
        self.limit = limit

    def render(self, context):
        context[self.name] = plain_text(self.nodelist.render(context), self.limit)
        return ""


@register.tag
def capture_text(parser, token):
    """``{% capture_text name [limit=N] %}…{% endcapture_text %}``: keep the enclosed text
    as plain text in ``name`` instead of rendering it.

    A template block may be rendered only once; capturing it lets the page's title
    and description serve <title>, the meta description and OpenGraph alike. Blocks
    inside still take their content from the child template.
    """
    bits = token.split_contents()
    match = re.fullmatch(r"limit=(\d+)", bits[2]) if len(bits) == 3 else None
    if len(bits) not in (2, 3) or (len(bits) == 3 and not match):
        raise template.TemplateSyntaxError(
            f"{bits[0]} takes a variable name and optionally limit=N: {token.contents!r}"
        )
    nodelist = parser.parse(("endcapture_text",))
    parser.delete_first_token()
    return CaptureTextNode(nodelist, bits[1], int(match[1]) if match else None)
