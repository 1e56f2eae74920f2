"""Django admin for HR staff: every model listed, searchable, editable, in Japanese."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from bureaus.models import Bureau, Duty
from core import publishing
from core.models import ContentVersion, InquiryWindow

pytestmark = pytest.mark.django_db

# Every model HR staff edit; the content revision and the rate counters are bookkeeping.
CONTENT_MODELS = [
    model
    for model in apps.get_models()
    if model._meta.app_label in {"core", "bureaus", "portal"}
    and model.__name__
    not in {"ContentRevision", "RateCounter", "BureauStaff", "ContentVersion", "FormerAddress"}
    and not model.__name__.startswith("Historical")
]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_content_model_is_registered_with_list_columns_and_search():
    assert len(CONTENT_MODELS) == 11
    for model in CONTENT_MODELS:
        model_admin = admin.site._registry[model]
        assert len(model_admin.list_display) >= 2, model
        # The central window is a single row: nothing to search.
        assert model_admin.search_fields or model is InquiryWindow, model
        assert model._meta.verbose_name != model.__name__.lower(), model


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m.__name__)
def test_changelist_search_and_change_pages_open(hr_client, model):
    response = hr_client.get(admin_url(model, "changelist"), {"q": "局"})
    assert response.status_code == 200
    record = model.objects.first()
    assert hr_client.get(admin_url(model, "change", record.pk)).status_code == 200


def test_admin_speaks_japanese(hr_client):
    html = hr_client.get(reverse("admin:index")).content.decode()
    assert '<html lang="ja"' in html
    assert "掲載内容の管理" in html
    assert "業務内容例" in html


def test_every_editable_field_has_help_or_a_japanese_label():
    for model in CONTENT_MODELS:
        for field in model._meta.get_fields():
            if (
                getattr(field, "editable", False)
                and not field.auto_created
                and field.name != "singleton"
            ):
                assert any(ord(c) > 0x3000 for c in str(field.verbose_name)), (model, field.name)


def test_japanese_and_english_fields_are_edited_side_by_side(hr_client):
    html = hr_client.get(admin_url(Duty, "change", Duty.objects.first().pk)).content.decode()
    assert (
        'class="form-row field-title_ja field-title_en"' in html
        or "field-title_ja field-title_en" in html
    )


def test_an_edit_in_admin_shows_on_the_site_once_approved(hr_client, client, django_user_model):
    duty = Duty.objects.get(slug="hydrogen-society")
    response = hr_client.post(
        admin_url(Duty, "change", duty.pk),
        {
            "bureau": duty.bureau_id,
            "slug": duty.slug,
            "title_ja": "水素エネルギーの普及に向けた取組",
            "title_en": "Work to spread hydrogen energy",
            "description_ja": "",
            "description_en": "",
            "themes": [theme.pk for theme in duty.themes.all()],
            "order": 5,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # A draft beside the live version until a second person approves it.
    assert "水素エネルギーの普及に向けた取組" not in client.get("/bureaus/").content.decode()
    version = ContentVersion.objects.of(duty).open().get()
    publishing.ask_for_review(version=version, by=version.author)
    approver = django_user_model.objects.create_superuser("shonin", "s@metro.example", None)
    publishing.approve(version=version, by=approver)
    assert "水素エネルギーの普及に向けた取組" in client.get("/bureaus/").content.decode()
    assert (
        client.get("/bureaus/", {"q": "ｴﾈﾙｷﾞｰの普及"}).content.decode().count("水素エネルギーの普及")
        >= 1
    )


def test_withdrawing_in_admin_takes_the_bureau_off_the_site(hr_client, client):
    bureau = Bureau.objects.get(slug="audit")
    response = hr_client.post(admin_url(Bureau, "publication", bureau.pk), {"action": "withdraw"})
    assert response.status_code == 302
    assert client.get("/bureaus/audit/").status_code == 410
    assert "監査事務局" not in client.get("/bureaus/").content.decode()


def test_a_malformed_phone_is_refused_next_to_the_field(hr_client):
    bureau = Bureau.objects.get(slug="audit")
    response = hr_client.post(
        admin_url(Bureau, "change", bureau.pk),
        {
            "name_ja": bureau.name_ja,
            "name_en": bureau.name_en,
            "slug": bureau.slug,
            "contact_section_ja": bureau.contact_section_ja,
            "contact_section_en": bureau.contact_section_en,
            "phone": "0353207012",
            "contact_email": bureau.contact_email,
            "order": bureau.order,
            "is_published": "on",
            "duties-TOTAL_FORMS": "0",
            "duties-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "電話番号は 03-5388-2374 のように" in response.content.decode()
    bureau.refresh_from_db()
    assert bureau.phone == "03-5320-7012"


def test_the_central_window_cannot_be_duplicated_or_deleted(hr_client):
    window = InquiryWindow.objects.get()
    assert hr_client.get(admin_url(InquiryWindow, "add")).status_code == 403
    assert hr_client.get(admin_url(InquiryWindow, "delete", window.pk)).status_code == 403
