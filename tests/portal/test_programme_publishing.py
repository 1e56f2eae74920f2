"""The programme's texts and the central inquiry window under the publication workflow:
an admin save keeps a draft, the preview shows it on its page in both languages, only
an approval puts it on the site, at once or at its 公開開始日時, and the roles that do
not edit content reach none of it."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from core import publishing
from core.models import ContentRevision, ContentVersion, InquiryWindow
from core.publication import State
from portal.models import (
    Benefit,
    FaqEntry,
    OverviewPoint,
    PageText,
    Place,
    Restriction,
    TrainingOpportunity,
)
from portal.models import (
    Testimonial as TraineeVoice,  # (not Test…: pytest would try to collect it)
)
from staffauth.roles import BUREAU_STAFF_GROUP, EDITOR_GROUP, HR_GROUP
from tests.factories import UserFactory, approve_open_draft, signed_in

MARK = "承認前の新しい文言"

# (model, how to find a live item, the field edited, the public page that shows it)
EDITS = {
    "overview point": (OverviewPoint, {}, "title_ja", "/"),
    "training": (TrainingOpportunity, {}, "title_ja", "/"),
    "benefit": (Benefit, {}, "title_ja", "/"),
    "testimonial": (TraineeVoice, {}, "body_ja", "/"),
    "restriction": (Restriction, {}, "body_ja", "/how-to-apply/"),
    "faq": (FaqEntry, {}, "answer_ja", "/faq/"),
    "introduction": (PageText, {"place": Place.INTRODUCTION}, "body_ja", "/"),
    "pre-consultation": (PageText, {"place": Place.PRE_CONSULTATION}, "body_ja", "/how-to-apply/"),
    "timeline": (PageText, {"place": Place.TIMELINE_TERM}, "body_ja", "/timeline/"),
    "site policy": (PageText, {"place": Place.SITE_POLICY}, "body_ja", "/site-policy/"),
    "inquiry window": (InquiryWindow, {}, "name_ja", "/"),
}


def admin_path(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(model, item, **changes):
    """What the item's admin form posts, with ``changes``."""
    model_admin = admin.site._registry[model]
    names = []
    for entry in model_admin.fields:
        names.extend(entry if isinstance(entry, tuple) else [entry])
    data = {}
    for name in names:
        if name == "publication_links" or (name == "place" and item.pk):
            continue
        value = changes.get(name, getattr(item, name))
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    return data


@pytest.fixture
def editor_client(db):
    """A content editor's own browser (``client`` stays an anonymous visitor)."""
    call_command("setup_roles", stdout=StringIO())
    return signed_in(EDITOR_GROUP)


@pytest.mark.parametrize(("model", "lookup", "field", "page"), EDITS.values(), ids=EDITS.keys())
def test_an_edit_waits_as_a_draft_is_previewed_and_goes_live_once_approved(
    editor_client, client, model, lookup, field, page
):
    item = model.objects.filter(**lookup).live().first()
    before = getattr(item, field)
    # (The site policy's lines that start with ■ show as headings without it.)
    shown = next(line for line in before.splitlines() if line and not line.startswith("■"))
    assert shown in client.get(page).content.decode()

    response = editor_client.post(
        admin_path(model, "change", item.pk), form_data(model, item, **{field: MARK})
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    # The site and the row keep the approved text; the draft waits beside them.
    assert MARK not in client.get(page).content.decode()
    assert getattr(model.objects.get(pk=item.pk), field) == before
    assert ContentVersion.objects.of(item).open().get().data[field] == MARK

    # The preview is the public page with the draft, in both languages, for staff only.
    for language, other in (("ja", "en"), ("en", "ja")):
        preview = editor_client.get(admin_path(model, "preview", item.pk, language))
        assert preview.status_code == 200
        html = preview.content.decode()
        assert f'<html lang="{language}">' in html
        assert preview["X-Robots-Tag"] == "noindex, nofollow"
        assert "no-store" in preview["Cache-Control"]
        # Its language switcher leads to the other preview, not to the public page.
        other_preview = admin_path(model, "preview", item.pk, other)
        assert f'href="{other_preview}" hreflang="{other}"' in html
        if language == "ja" or not getattr(item, field.replace("_ja", "_en")):
            assert MARK in html
    assert client.get(admin_path(model, "preview", item.pk, "ja")).status_code == 302

    approve_open_draft(model.objects.get(pk=item.pk))
    assert MARK in client.get(page).content.decode()
    assert getattr(model.objects.get(pk=item.pk), field) == MARK


@pytest.mark.django_db
def test_a_change_approved_for_april_first_replaces_the_live_text_at_that_moment(client, clock):
    point = OverviewPoint.objects.live().first()
    old = point.title_ja
    april_first = clock.moment + timedelta(days=17)
    author = UserFactory()
    publishing.save_draft(
        item=point, data={**publishing.snapshot(point), "title_ja": MARK}, author=author
    )
    version = approve_open_draft(point, starts_at=april_first)

    assert version.is_scheduled and version.applied_at is None
    assert old in client.get("/").content.decode() and MARK not in client.get("/").content.decode()
    assert ContentRevision.current().next_boundary_at == april_first
    clock.move_to(april_first - timedelta(seconds=1))
    assert old in client.get("/").content.decode()

    clock.move_to(april_first)
    home = client.get("/").content.decode()
    assert MARK in home and old not in home
    point.refresh_from_db()
    version.refresh_from_db()
    assert (point.title_ja, point.publish_starts_at) == (MARK, april_first)
    assert version.applied_at == april_first and not version.is_scheduled


@pytest.mark.django_db
def test_a_new_testimonial_starts_as_a_draft_at_the_end_and_shows_once_approved(
    editor_client, client
):
    response = editor_client.post(
        admin_path(TraineeVoice, "add"),
        {"body_ja": MARK, "body_en": "", "industry_ja": "製造", "industry_en": "", "order": "0"},
    )
    assert response.status_code == 302
    added = TraineeVoice.objects.get(body_ja=MARK)
    assert added.publication_state == State.DRAFT
    assert added.order > max(
        TraineeVoice.objects.exclude(pk=added.pk).values_list("order", flat=True)
    )
    assert MARK not in client.get("/").content.decode()
    preview = editor_client.get(
        admin_path(TraineeVoice, "preview", added.pk, "ja")
    ).content.decode()
    voices = preview.split('id="testimonials-heading"')[1]
    assert voices.rindex(MARK) > max(voices.index(t.body_ja) for t in TraineeVoice.objects.live())
    approve_open_draft(added)
    assert MARK in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_central_window_changes_through_review_and_is_never_withdrawn(editor_client, client):
    window = InquiryWindow.objects.get()
    address = window.contact_email
    editor_client.post(
        admin_path(InquiryWindow, "change", window.pk),
        form_data(InquiryWindow, window, contact_email="atarashii@metro.tokyo.example"),
    )
    # Mail keeps going to the approved address until the change is approved.
    assert InquiryWindow.objects.current().contact_email == address

    hr = UserFactory(is_superuser=True)
    client.force_login(hr)
    page = client.get(admin_path(InquiryWindow, "publication", window.pk)).content.decode()
    assert "掲載を終了する" not in page
    response = client.post(
        admin_path(InquiryWindow, "publication", window.pk), {"action": "withdraw"}
    )
    assert response.status_code == 403
    assert InquiryWindow.objects.get().publication_state == State.APPROVED
    assert not admin.site._registry[InquiryWindow].has_delete_permission(None, window)


@pytest.mark.django_db
def test_what_was_public_is_withdrawn_not_deleted(editor_client):
    entry = FaqEntry.objects.live().first()
    response = editor_client.get(admin_path(FaqEntry, "delete", entry.pk))
    assert response.status_code == 403
    changelist = editor_client.get(admin_path(FaqEntry, "changelist")).content.decode()
    assert 'value="delete_selected"' not in changelist


# Who reaches the programme's publication screens: those who edit content.
ROLE_GROUPS = {
    "HR": (HR_GROUP, True),
    "a content editor": (EDITOR_GROUP, True),
    "bureau staff": (BUREAU_STAFF_GROUP, False),
    "a staff account with no group": (None, False),
}
SCREENS = {
    "FAQ": (FaqEntry, {}),
    "a page text": (PageText, {"place": Place.INTRODUCTION}),
    "the inquiry window": (InquiryWindow, {}),
}


@pytest.mark.parametrize(("group", "reaches"), ROLE_GROUPS.values(), ids=ROLE_GROUPS.keys())
@pytest.mark.parametrize(("model", "lookup"), SCREENS.values(), ids=SCREENS.keys())
def test_publication_screens_are_reached_only_by_those_who_edit_content(
    db, group, reaches, model, lookup
):
    call_command("setup_roles", stdout=StringIO())
    client = signed_in(group)
    item = model.objects.filter(**lookup).first()
    secret = "下書きの秘密の文言"
    field = next(name for name in ("answer_ja", "body_ja", "name_ja") if hasattr(item, name))
    publishing.save_draft(
        item=item, data={**publishing.snapshot(item), field: secret}, author=UserFactory()
    )
    screens = [admin_path(model, "publication", item.pk)] + [
        admin_path(model, "preview", item.pk, language) for language in ("ja", "en")
    ]
    for url in screens:
        response = client.get(url)
        if reaches:
            assert response.status_code == 200, url
        else:
            assert response.status_code in (302, 403, 404), url
            assert secret not in response.content.decode()
    response = client.post(screens[0], {"action": "ask"})
    version = ContentVersion.objects.of(item).open().get()
    assert (version.state == State.IN_REVIEW) == reaches
    if group == HR_GROUP:  # the 承認者, and not an editor of this version
        client.post(screens[0], {"action": "approve"})
        assert getattr(model.objects.get(pk=item.pk), field) == secret
        return
    for action in ("approve", "withdraw"):
        response = client.post(screens[0], {"action": action})
        assert response.status_code in (302, 403, 404)
    after = model.objects.get(pk=item.pk)
    assert getattr(after, field) != secret and after.publication_state == State.APPROVED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/portal/faqentry/abc/publication/",
        "/admin/portal/faqentry/abc/preview/ja/",
        "/admin/bureaus/duty/1.5/publication/",
        "/admin/core/inquirywindow/-1/preview/en/",
        "/admin/portal/faqentry/99999999999999999999999/publication/",
        "/admin/portal/faqentry/1/preview/xx/",
    ],
)
def test_an_id_that_is_no_item_answers_404_not_an_error(editor_client, path):
    assert editor_client.get(path).status_code == 404
    assert editor_client.post(path, {"action": "ask"}).status_code == 404
