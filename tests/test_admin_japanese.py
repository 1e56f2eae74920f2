"""The back office speaks Japanese throughout: HR and a bureau's clerk open every admin
page they can reach (the index, each app, each list with its filters and counts, each
add form, a change form and the history of each kind of record) and read no English
but the words listed here and the data staff and applicants typed.

The third-party strings (Django's, django-axes', django-otp's) that lack Japanese
have it from the project's own catalogue, locale/ja/; that catalogue must leave the
project's Japanese source strings as they are.
"""

import gettext
import json
import re
import uuid
from datetime import date

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import models
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.intake import submit_inquiry
from applications.models import InternalNote
from bureaus.models import Bureau, BureauStaff, Duty
from core import publishing
from core.models import FormerAddress
from staffauth.roles import BUREAU_STAFF_GROUP, HR_GROUP
from tests.admin_text import english_words, visible_text
from tests.applications.helpers import inquiry_answers
from tests.conftest import ROOT
from tests.factories import approve_open_draft

# English a clerk is expected to read: names of things that have no Japanese in use,
# the keys Django's Japanese names for picking several items (Control, Command on a
# Mac), LDAP in Django's Japanese help on sign-in, and IT, the industry's own name
# (情報・IT).
ALLOWED = frozenset({"TOTP", "CSV", "URL", "QR", "ID", "IT", "Control", "Command", "Mac", "LDAP"})

# Records whose text is interface, not data: a stored permission name ("Can add …")
# is shown as a label, so it must not excuse English words.
NOT_DATA = {"auth.permission", "contenttypes.contenttype", "sessions.session"}


@pytest.fixture
def world(db, django_user_model):
    """HR and a bureau clerk, and one record of every kind they can open."""
    call_command("setup_roles", verbosity=0)
    hr = django_user_model.objects.create_user(
        "jinji", "jinji@metro.example", "pw-jinji-long-1", is_staff=True
    )
    hr.first_name, hr.last_name = "花子", "人事"
    hr.save()
    hr.groups.add(Group.objects.get(name=HR_GROUP))
    clerk = django_user_model.objects.create_user(
        "kankyo", "kankyo@metro.example", "pw-kankyo-long-1", is_staff=True
    )
    clerk.groups.add(Group.objects.get(name=BUREAU_STAFF_GROUP))
    environment = Bureau.objects.get(slug="environment")
    BureauStaff.objects.create(user=clerk, bureau=environment)
    for bureaus, other in [([environment], ""), ([], "広報の企画")]:
        inquiry = submit_inquiry(
            token=uuid.uuid4(),
            language="ja",
            answers=inquiry_answers(other_duties=other, desired_start=date(2027, 4, 1)),
            bureaus=bureaus,
            duties=[],
        ).inquiry
        InternalNote.objects.create(route=inquiry.routes.get(), author=clerk, body="面談を設定。")
    # A duty of each account's first page waiting for approval, with one approved
    # version before it: the publication page shows its forms, differences and history.
    for duty in {Duty.objects.first(), environment.duties.order_by("order", "slug").first()}:
        publishing.save_draft(
            item=duty, data={**publishing.snapshot(duty), "title_ja": "確認前の文言"}, author=clerk
        )
        approve_open_draft(duty)
        version = publishing.save_draft(
            item=duty, data={**publishing.snapshot(duty), "title_ja": "直した文言"}, author=clerk
        )
        publishing.ask_for_review(version=version, by=clerk)
    # Old addresses of both kinds, one leading to a live page, one to an ended one.
    FormerAddress.objects.create(
        content_type=ContentType.objects.get_for_model(Bureau),
        key="kankyo",
        object_id=environment.pk,
    )
    ended = Duty.objects.exclude(bureau=environment).order_by("pk").first()
    publishing.withdraw(item=ended, by=django_user_model.objects.create_superuser("shonin"))
    FormerAddress.objects.create(
        content_type=ContentType.objects.get_for_model(Duty), key="kyu/gyomu", object_id=ended.pk
    )
    TOTPDevice.objects.create(user=hr, name="管理画面ログイン", confirmed=True)
    AccessAttempt.objects.create(
        username="jinji", ip_address="192.0.2.1", user_agent="Mozilla/5.0", failures_since_start=1
    )
    AccessLog.objects.create(username="jinji", ip_address="192.0.2.1", user_agent="Mozilla/5.0")
    AccessFailureLog.objects.create(
        username="jinji", ip_address="192.0.2.1", user_agent="Mozilla/5.0", locked_out=False
    )
    return {"hr": hr, "clerk": clerk}


def data_strings():
    """Every text value stored in the database but the interface's own (NOT_DATA) and
    coded choices, whose labels a page must show instead of the stored value."""
    values = set()
    for model in apps.get_models():
        if model._meta.label_lower in NOT_DATA:
            continue
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.GenericIPAddressField)
            and not field.choices
        ]
        if fields:
            for row in model._base_manager.values_list(*fields):
                values.update(str(value) for value in row if value)
    # Pages show long texts line by line, addresses by their domain too, and a
    # password hash as its algorithm and the first characters of its parts.
    lines = {line.strip() for value in values for line in value.splitlines()}
    domains = {value.rpartition("@")[2] for value in values if "@" in value}
    hashes = {
        piece
        for value in values
        if value.count("$") >= 3
        for part in value.split("$")
        for piece in (part, part[:6])
    }
    return values | lines | domains | hashes


def reachable_pages(client, user):
    """The admin pages ``user`` reaches from its index: (what, url)."""
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    pages = [
        ("the index", reverse("admin:index")),
        ("password change", reverse("admin:password_change")),
    ]
    for app in index.context["app_list"]:
        pages.append((f"the app {app['app_label']}", app["app_url"]))
        for entry in app["models"]:
            model = entry["model"]
            name = model._meta.label_lower
            if entry.get("admin_url"):
                pages.append((f"the list of {name}", entry["admin_url"]))
                pages.append((f"the list of {name} with counts", entry["admin_url"] + "?_facets=1"))
            if entry.get("add_url"):
                pages.append((f"the add form of {name}", entry["add_url"]))
            record = admin.site._registry[model].get_queryset(request_of(user)).first()
            if record is not None and entry.get("admin_url"):
                info = (model._meta.app_label, model._meta.model_name)
                # (The preview is the public page: the public pages' checks read it.)
                for view in ("change", "history", "publication", "merge"):
                    try:
                        url = reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[record.pk])
                    except NoReverseMatch:
                        continue
                    pages.append((f"the {view} page of {name}", url))
    return pages


def request_of(user):
    """A request of ``user``, to scope admin querysets as admin does."""
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def english_on_pages(client, user):
    client.force_login(user)
    data = data_strings()
    found = {}
    for what, url in reachable_pages(client, user):
        response = client.get(url, follow=True)
        assert response.status_code == 200, (what, url, response.status_code)
        words = english_words(visible_text(response.content.decode()), data=data, allowed=ALLOWED)
        if words:
            found[f"{what} ({url})"] = words
    return found


@pytest.mark.parametrize("role", ["hr", "clerk"])
def test_every_admin_page_an_account_reaches_reads_japanese(client, world, role):
    assert english_on_pages(client, world[role]) == {}


def test_the_check_finds_an_english_string_left_on_a_page(client, world, monkeypatch):
    """The check can fail: a column named in English is reported, page and word."""
    from applications.admin import InquiryAdmin

    monkeypatch.setattr(InquiryAdmin.bureau_names, "short_description", "Bureaus")
    found = english_on_pages(client, world["clerk"])
    assert any(words == ["Bureaus"] for words in found.values()), found
    assert "the list of applications.inquiry (/admin/applications/inquiry/)" in found


def test_the_reader_takes_visible_text_and_read_attributes_not_typed_values():
    html = (
        '<p title="Hint">見出し<script>var English = 1;</script></p>'
        '<input type="submit" value="Save"><input type="text" value="typed text">'
        "<textarea>applicant wrote this</textarea><option>- Select an option -</option>"
    )
    assert english_words(visible_text(html)) == ["Hint", "Save", "Select", "an", "option"]
    # A link showing its own address reads as an address; any other link text is read.
    links = (
        '<a href="/bureaus/port/">/bureaus/port/</a> <a href="/bureaus/">Catalogue</a>'
        '<a href="/en/"><span>/en/</span></a><a href="/old/">/other/</a>'
    )
    assert english_words(visible_text(links)) == ["Catalogue", "other"]
    assert english_words("TOTP と CSV と URL", allowed=ALLOWED) == []
    assert english_words("山田 hanako@example.jp", data={"hanako@example.jp"}) == []


# --- The Japanese catalogue of third-party strings. -------------------------------------

JA_CATALOGUE = ROOT / "locale" / "ja" / "LC_MESSAGES"


def po_entries(path):
    """The entries of a .po file as dicts of their keywords (msgctxt, msgid, msgid_plural,
    msgstr, msgstr[0] …) and "flags", the header left out."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, key = {"flags": ""}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line[2:]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += unquote_po(line)
            else:
                key, _, rest = line.partition(" ")
                entry[key] = unquote_po(rest)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def unquote_po(text):
    escapes = {"n": "\n", "t": "\t"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), text.strip()[1:-1])


EN_PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_entry_of_the_japanese_catalogue_is_translated_into_japanese(domain):
    entries = po_entries(JA_CATALOGUE / f"{domain}.po")
    assert len(entries) > 10
    for entry in entries:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        texts = [value for key, value in entry.items() if key.startswith("msgstr")]
        assert texts, entry["msgid"]
        for text in texts:
            # ", " becomes "、", Japanese punctuation but neither kana nor kanji.
            assert text and (JAPANESE.search(text) or entry["msgid"] == ", "), entry["msgid"]


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_compiled_japanese_catalogue_matches_its_po_file(domain):
    with (JA_CATALOGUE / f"{domain}.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    for entry in po_entries(JA_CATALOGUE / f"{domain}.po"):
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            got = (
                catalogue.npgettext(context, entry["msgid"], entry["msgid_plural"], 1)
                if context
                else catalogue.ngettext(entry["msgid"], entry["msgid_plural"], 1)
            )
            assert got == entry["msgstr[0]"], entry["msgid"]
        else:
            got = (
                catalogue.pgettext(context, entry["msgid"])
                if context
                else catalogue.gettext(entry["msgid"])
            )
            assert got == entry["msgstr"], entry["msgid"]


def test_the_japanese_catalogue_translates_only_third_party_english_strings():
    """The project's own strings are Japanese already: the ja catalogue must not hold
    them, or an entry could rewrite a source text. Its msgids are all English."""
    for entry in po_entries(JA_CATALOGUE / "django.po"):
        assert not JAPANESE.search(entry["msgid"]), entry["msgid"]


def test_the_projects_japanese_source_strings_read_as_written_in_japanese():
    with translation.override("ja"):
        for entry in po_entries(EN_PO):
            if "msgid_plural" not in entry:
                assert translation.gettext(entry["msgid"]) == entry["msgid"], entry["msgid"]


def test_third_party_strings_read_japanese(client, world):
    with translation.override("ja"):
        assert translation.gettext("Filter by %(field_name)s") == "%(field_name)sで絞り込む"
        assert translation.gettext("- Select an option -") == "（選択してください）"
        assert translation.gettext("access attempts") == "ログインの試行"
    assert str(TOTPDevice._meta.verbose_name_plural) == "認証アプリの登録（TOTP）"
    # The admin's scripts (the calendar) too, through its JavaScript catalogue.
    client.force_login(world["hr"])
    script = client.get(reverse("admin:jsi18n")).content.decode()
    assert json.dumps("今日（%(date)s）")[1:-1] in script or "今日（%(date)s）" in script


def test_app_labels_are_japanese():
    for config in apps.get_app_configs():
        if config.models_module is None:
            continue
        assert JAPANESE.search(str(config.verbose_name)), (config.label, config.verbose_name)


def test_history_models_are_named_in_japanese():
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            name = str(model._meta.verbose_name)
            assert name.endswith("の変更履歴") and "historical" not in name, name
