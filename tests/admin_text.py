"""What a person reads on an admin page, and the English words left in it.

The visible text is every text node outside scripts, styles and text areas, and the
attributes a person reads or hears (title, placeholder, aria-label, alt, and the
label of a button). Field values typed by staff or applicants (inputs, text areas)
are data, not interface, and are left out; so is a link that shows its own address
as its text (``<a href="/bureaus/x/">/bureaus/x/</a>``): an address, not words.
"""

import re
from html.parser import HTMLParser

WORD = re.compile(r"[A-Za-z]{2,}")
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
BUTTON_TYPES = {"submit", "button", "reset"}
# Elements whose content is never shown as text: code, or what the user typed.
SILENT = {"script", "style", "textarea", "template", "noscript"}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.silent = 0
        self.links = []  # (href, text parts) of the links being read

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in SILENT:
            self.silent += 1
        for name in READ_ATTRIBUTES & attributes.keys():
            self.parts.append(attributes[name] or "")
        if tag == "input" and (attributes.get("type") or "").lower() in BUTTON_TYPES:
            self.parts.append(attributes.get("value") or "")
        if tag == "a":
            self.links.append((attributes.get("href"), []))

    def handle_endtag(self, tag):
        if tag in SILENT and self.silent:
            self.silent -= 1
        if tag == "a" and self.links:
            href, texts = self.links.pop()
            if href is None or "".join(texts).strip() != href:
                (self.links[-1][1] if self.links else self.parts).extend(texts)

    def handle_data(self, data):
        if not self.silent:
            (self.links[-1][1] if self.links else self.parts).append(data)


def visible_text(html):
    """The text of an HTML page as a person reads it (see the module's docstring)."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    for _href, texts in reader.links:  # a link never closed is read as it is
        reader.parts.extend(texts)
    return "\n".join(part.strip() for part in reader.parts if part.strip())


def english_words(text, *, data=(), allowed=frozenset()):
    """The English words in ``text``, once each in order, after taking out the
    ``data`` strings (values stored in the database) and leaving the ``allowed`` words."""
    for value in sorted(data, key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    found = []
    for word in WORD.findall(text):
        if word not in allowed and word not in found:
            found.append(word)
    return found
