"""Keyword normalisation shared by stored search text and user queries."""

import unicodedata

MAX_KEYWORD_LENGTH = 100


def normalise_for_search(*texts):
    """Fold text so that full- and half-width forms and letter case compare equal.

    NFKC turns ``ＩＣＴ`` into ``ICT`` and ``３`` into ``3``; casefold makes the
    match case-insensitive; runs of white space collapse to one space.
    """
    joined = " ".join(text for text in texts if text)
    folded = unicodedata.normalize("NFKC", joined).casefold()
    return " ".join(folded.split())


def normalise_keyword(raw):
    """The keyword a visitor typed, folded and cut to a sane length."""
    return normalise_for_search(raw or "")[:MAX_KEYWORD_LENGTH]
