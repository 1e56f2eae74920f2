"""The English interface texts: complete, and compiled into the .mo Django reads."""

import re

from django.utils import translation

from tests.conftest import ROOT

PO_FILE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"


def po_entries():
    """(msgid, msgstr, flags) for each singular entry of the .po file."""
    text = PO_FILE.read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        flags = " ".join(re.findall(r"^#, (.*)$", block, re.M))
        msgid = re.search(r'^msgid "(.*)"$', block, re.M)
        msgstr = re.search(r'^msgstr "(.*)"$', block, re.M)
        if msgid and msgid.group(1) and msgstr:
            entries.append((msgid.group(1), msgstr.group(1), flags))
    return entries


def unescape_po(text):
    return text.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def test_no_plural_form_is_left_empty():
    assert 'msgstr[0] ""' not in PO_FILE.read_text(encoding="utf-8")
    assert 'msgstr[1] ""' not in PO_FILE.read_text(encoding="utf-8")


def test_every_interface_text_is_translated_and_none_is_fuzzy():
    entries = po_entries()
    assert len(entries) > 50
    for msgid, msgstr, flags in entries:
        assert msgstr, msgid
        assert "fuzzy" not in flags, msgid


def test_the_compiled_catalogue_matches_the_po_file():
    with translation.override("en"):
        for msgid, msgstr, _flags in po_entries():
            assert translation.gettext(unescape_po(msgid)) == unescape_po(msgstr), msgid


def test_every_text_of_the_public_pages_is_in_the_english_catalogue(tmp_path, settings):
    """Extract the interface texts afresh (makemessages, as the README says to run it)
    into a scratch copy of the catalogue: nothing the code or templates translate may be
    missing from the committed one, or be new there without English."""
    import shutil

    from django.core.management import call_command

    scratch = tmp_path / "locale"
    shutil.copytree(ROOT / "locale" / "en", scratch / "en")
    settings.LOCALE_PATHS = [scratch]
    ignore = [".venv/*", "node_modules/*", "tests/*", "templates/admin/*", "static/*"]
    call_command(
        "makemessages",
        locale=["en"],
        no_location=True,
        no_wrap=True,
        ignore_patterns=ignore,
        verbosity=0,
        no_obsolete=True,
    )
    committed = {msgid: msgstr for msgid, msgstr, _flags in po_entries()}
    for block in PO_FILE.read_text(encoding="utf-8").split("\n\n"):
        plural = re.search(r'^msgid "(.+)"\nmsgid_plural .*\nmsgstr\[0\] "(.+)"$', block, re.M)
        if plural and "fuzzy" not in block:
            committed[plural.group(1)] = plural.group(2)
    text = (scratch / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    extracted = [
        re.search(r'^msgid "(.*)"$', block, re.M).group(1)
        for block in text.split("\n\n")
        if re.search(r'^msgid "(.+)"$', block, re.M)
    ]
    missing = [msgid for msgid in extracted if not committed.get(msgid)]
    assert not missing, "not in locale/en (run makemessages as the README says):\n" + "\n".join(
        missing
    )
