"""Rules and invariants of bureaus, duties and themes."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from bureaus.models import Bureau, Duty
from core.content import tel_uri
from tests.conftest import make_bureau, make_duty, make_theme


def test_phone_numbers_become_international_tel_uris():
    assert tel_uri("03-5388-2113") == "tel:+81-3-5388-2113"
    assert tel_uri("090-1234-5678") == "tel:+81-90-1234-5678"


@pytest.mark.parametrize("phone", ["03-5388-2113", "042-123-4567", "090-1234-5678"])
def test_japanese_phone_formats_are_accepted(phone):
    bureau = Bureau(slug="x", name_ja="局", contact_section_ja="課", phone=phone)
    bureau.full_clean(validate_unique=False, validate_constraints=False)


@pytest.mark.parametrize(
    "phone", ["0353882113", "+81-3-5388-2113", "03-5388-21134", "abc", "3-5388-2113"]
)
def test_malformed_phone_numbers_are_refused_with_a_message(phone):
    bureau = Bureau(slug="x", name_ja="局", contact_section_ja="課", phone=phone)
    with pytest.raises(ValidationError) as error:
        bureau.full_clean(validate_unique=False, validate_constraints=False)
    assert "電話番号" in str(error.value.message_dict["phone"])


@pytest.mark.django_db
def test_bilingual_fields_follow_the_active_language_and_fall_back_to_japanese():
    bureau = make_bureau(name_ja="環境局", name_en="Bureau of Environment")
    untranslated = make_bureau(name_ja="新設局", name_en="")
    with translation.override("en"):
        assert bureau.name == "Bureau of Environment"
        assert untranslated.name == "新設局"
    with translation.override("ja"):
        assert bureau.name == "環境局"


@pytest.mark.django_db
def test_duty_slugs_are_unique_within_a_bureau_only():
    first, second = make_bureau(), make_bureau()
    make_duty(bureau=first, slug="same")
    make_duty(bureau=second, slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_duty(bureau=first, slug="same")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Bureau, {"slug": "b", "name_ja": "", "contact_section_ja": "課", "phone": "03-1-1"}),
        (Bureau, {"slug": "b", "name_ja": "局", "contact_section_ja": "", "phone": "03-1-1"}),
        (Bureau, {"slug": "b", "name_ja": "局", "contact_section_ja": "課", "phone": "5388"}),
        (Bureau, {"slug": "", "name_ja": "局", "contact_section_ja": "課", "phone": "03-1-1"}),
    ],
)
def test_database_refuses_incomplete_bureaus(model, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**fields)


@pytest.mark.django_db
def test_database_refuses_a_duty_without_a_title():
    with pytest.raises(IntegrityError), transaction.atomic():
        Duty.objects.create(bureau=make_bureau(), slug="x", title_ja="")


@pytest.mark.django_db
def test_a_bureau_with_duties_cannot_be_deleted_by_accident():
    duty = make_duty()
    with pytest.raises(Exception, match="protected"), transaction.atomic():
        duty.bureau.delete()


@pytest.mark.django_db
def test_published_duties_exclude_hidden_duties_and_duties_of_hidden_bureaus():
    visible = make_duty()
    hidden = make_duty(publication_state="draft")
    in_hidden_bureau = make_duty(bureau=make_bureau(publication_state="draft"))
    published = set(Duty.objects.live())
    assert visible in published
    assert hidden not in published
    assert in_hidden_bureau not in published


@pytest.mark.django_db
def test_theme_ordering_and_string_forms():
    late, early = make_theme(order=20, name_ja="後"), make_theme(order=10, name_ja="先")
    ordered = [t for t in type(late).objects.all() if t in (late, early)]
    assert ordered == [early, late]
    assert str(early) == "先"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ja", "en"])
def test_duty_urls_built_on_the_bureau_url_match_the_url_patterns(language):
    from django.urls import reverse

    with translation.override(language):
        for duty in Duty.objects.select_related("bureau"):
            expected = reverse(
                "bureaus:duty", kwargs={"bureau_slug": duty.bureau.slug, "slug": duty.slug}
            )
            assert duty.get_absolute_url() == expected


@pytest.mark.django_db
def test_a_bureau_url_follows_the_language_and_a_changed_slug():
    bureau = make_bureau(slug="before")
    with translation.override("en"):
        assert bureau.get_absolute_url() == "/en/bureaus/before/"
    assert bureau.get_absolute_url() == "/bureaus/before/"
    bureau.slug = "after"
    assert bureau.get_absolute_url() == "/bureaus/after/"
