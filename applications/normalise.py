"""Lenient in what people type, normalised in what is stored: phone numbers and months.

Pure functions, no database: tests/applications/test_normalise.py holds them to
tables of what people type.
"""

import re
import unicodedata
from datetime import date

# Hyphen-like characters people type in phone numbers, full- and half-width.
_DASHES = re.compile("[\u2010-\u2015\u2212\u30fc\uff0d\ufe63]")
_PHONE = re.compile(r"^0\d{1,4}-?\d{1,4}-?\d{3,4}$")
# An extension after the number: 内線 1234, (内線1234), ext. 1234, x1234, #1234.
_EXTENSION = re.compile(
    r"^(?P<number>.*?)[\s,、(]*(?:内線|ext(?:ension)?\.?|x|#)\s*[:.]?\s*(?P<extension>\d{1,6})\)?$",
    re.IGNORECASE,
)
# 令和 1 is 2019, 平成 1 is 1989.
_ERAS = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988}
_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_NUMERIC_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_ERA_MONTH = re.compile(r"^(令和|平成|r|h)\s*(\d{1,2}|元)\s*[年.]\s*(\d{1,2})\s*月?$")
_NAMED_MONTH = re.compile(r"^([a-z]+)\.?,?\s*(\d{4})$|^(\d{4})\s*([a-z]+)\.?$")


def normalise_phone(raw):
    """A Japanese phone number in half-width digits and hyphens, with its extension as
    " 内線1234", or None if it is not one.

    Accepts full-width digits, any dash, spaces, brackets around the area code, the +81
    country code, and an extension written 内線, ext., x or #.
    """
    text = unicodedata.normalize("NFKC", raw or "").strip()
    extension = ""
    if match := _EXTENSION.match(text):
        text, extension = match["number"], f" 内線{match['extension']}"
    text = _DASHES.sub("-", text)
    text = re.sub(r"[\s()（）]+", "-", text).strip("-")
    text = re.sub(r"-{2,}", "-", text)
    if text.startswith("+81"):
        text = "0" + text[3:].lstrip("-")
    digits = text.replace("-", "")
    if not digits.isdigit() or len(digits) not in (10, 11) or not _PHONE.match(text):
        return None
    return text + extension


def parse_month(raw):
    """The first day of the month typed as 2027-04, 2027/4, 2027年4月, 令和9年4月 (R9.4),
    April 2027 or 2027 Apr, in any width; None if it is none of these."""
    text = unicodedata.normalize("NFKC", raw or "").strip().casefold()
    if match := _NUMERIC_MONTH.match(text):
        year, month = int(match[1]), int(match[2])
    elif match := _ERA_MONTH.match(text):
        number = 1 if match[2] == "元" else int(match[2])
        year, month = _ERAS[match[1]] + number, int(match[3])
    elif match := _NAMED_MONTH.match(text):
        name, year = (match[1], match[2]) if match[1] else (match[4], match[3])
        if name not in _MONTH_NAMES:
            return None
        year, month = int(year), _MONTH_NAMES[name]
    else:
        return None
    if not 1 <= month <= 12 or not 1900 <= year <= 2999:
        return None
    return date(year, month, 1)
