"""Keyword search: one folding for stored text and what visitors type.

Folding makes equal what a reader takes for the same word: full- and half-width
forms and letter case (NFKC, casefold), hiragana and katakana (jaconv), and the
spelling variants of loanwords in katakana: プラスティック and プラスチック,
ヴァイオリン and バイオリン, ウィンドウ and ウインドウ, long-vowel marks or none, and
a middle dot between katakana words or none.
"""

import unicodedata

import jaconv

MAX_QUERY_LENGTH = 100
MAX_QUERY_WORDS = 8
# Loanword spellings, folded to one form; pairs before the single small vowels.
_VARIANTS = [
    ("ヴァ", "バ"),
    ("ヴィ", "ビ"),
    ("ヴェ", "ベ"),
    ("ヴォ", "ボ"),
    ("ヴ", "ブ"),
    ("ティ", "チ"),
    ("ディ", "ジ"),
    ("デュ", "ジュ"),
    ("トゥ", "ツ"),
    ("ドゥ", "ズ"),
]
_SMALL_VOWELS = str.maketrans("ァィゥェォヵヶ", "アイウエオカケ")
# Long-vowel marks, and the middle dot that may or may not join katakana words
# (ゼロエミッション・ビークル), are left out on both sides.
_OPTIONAL_MARKS = str.maketrans("", "", "ー・")


def fold(*texts):
    """The texts joined and folded for comparison; runs of white space become one space."""
    joined = " ".join(text for text in texts if text)
    text = jaconv.hira2kata(unicodedata.normalize("NFKC", joined).casefold())
    for variant, canonical in _VARIANTS:
        text = text.replace(variant, canonical)
    text = text.translate(_SMALL_VOWELS).translate(_OPTIONAL_MARKS)
    return " ".join(text.split())


def query_words(raw):
    """The folded words of what a visitor typed (every one must match), within bounds."""
    return fold((raw or "")[:MAX_QUERY_LENGTH]).split()[:MAX_QUERY_WORDS]
