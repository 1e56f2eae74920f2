"""The URL name of a duty, made without the clerk: a pure rule, no database.

A clerk who writes the duty in Japanese only should not have to invent romaji. The
slug comes from the English title when there is one (as the seed's slugs do), and
otherwise is a short random id, such as ``k7m2qx9d``. Not romaji: a kanji title has
several readings (市場 is ichiba or shijō) and a converter guesses among them, so
an official URL could carry a wrong reading; titles are sentences, so their romaji
make long URLs; and the id needs no dictionary of its own. It is made once and
stored, so editing the title later changes no URL.
"""

import secrets

from django.utils.text import slugify

# Lower-case letters and digits that cannot be read as one another (no 0/o, 1/l/i).
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ID_LENGTH = 8
MAX_LENGTH = 80  # Duty.slug's max_length


def short_id(length=ID_LENGTH):
    """A random id of ``length`` characters from ALPHABET."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_duty_slug(*, title_en, taken):
    """A slug for a new duty that is not in ``taken`` (the slugs of its bureau's duties).

    From ``title_en`` when it gives one (``-2``, ``-3`` … added when taken), else a
    short random id.
    """
    base = slugify(title_en or "")[: MAX_LENGTH - 4].strip("-")
    if base:
        return numbered(base, taken)
    while (candidate := short_id()) in taken:
        pass
    return candidate


def free_duty_slug(*, slug, taken):
    """``slug`` if it is not in ``taken``, else ``slug`` numbered (``-2``, ``-3`` …)
    until it is free: the slug of a duty moved into a bureau that has one of that name
    (bureaus.reorganisation)."""
    if slug not in taken:
        return slug
    return numbered(slug[: MAX_LENGTH - 4].strip("-"), taken)


def numbered(base, taken):
    """``base``, or ``base-2``, ``base-3`` … : the first not in ``taken``."""
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate
