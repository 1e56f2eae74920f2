"""A duty's URL name is made without the clerk: from the English title when there is one,
else a short random id; editable until the duty is first published, unique in its bureau."""

import re

import pytest
from django.urls import reverse

from bureaus.models import Duty
from bureaus.slugs import ALPHABET, ID_LENGTH, free_duty_slug, new_duty_slug
from tests.conftest import make_bureau, make_duty
from tests.factories import approve_open_draft

SHORT_ID = re.compile(rf"^[{ALPHABET}]{{{ID_LENGTH}}}$")
ADD = reverse("admin:bureaus_duty_add")


def change_url(duty):
    return reverse("admin:bureaus_duty_change", args=[duty.pk])


# --- The rule. -----------------------------------------------------------------------------


def test_an_english_title_gives_the_slug():
    assert new_duty_slug(title_en="Hydrogen Society", taken=set()) == "hydrogen-society"


def test_a_taken_slug_gets_a_number():
    taken = {"hydrogen-society", "hydrogen-society-2"}
    assert new_duty_slug(title_en="Hydrogen society", taken=taken) == "hydrogen-society-3"


@pytest.mark.parametrize("title_en", ["", None, "   ", "水素社会の実現", "—"])
def test_without_an_english_title_the_slug_is_a_short_id(title_en):
    slugs = {new_duty_slug(title_en=title_en, taken=set()) for _ in range(50)}
    assert all(SHORT_ID.match(slug) for slug in slugs), slugs
    assert len(slugs) == 50  # random, so two duties of one bureau practically never meet


def test_a_short_id_is_never_one_already_taken(monkeypatch):
    from bureaus import slugs

    made = iter(["aaaaaaaa", "aaaaaaaa", "bbbbbbbb"])
    monkeypatch.setattr(slugs, "short_id", lambda: next(made))
    assert new_duty_slug(title_en="", taken={"aaaaaaaa"}) == "bbbbbbbb"


def test_a_long_english_title_fits_the_field():
    slug = new_duty_slug(title_en="word " * 60, taken={"word-" * 15})
    assert len(slug) <= Duty._meta.get_field("slug").max_length


# --- In admin. -----------------------------------------------------------------------------


def add_form(bureau, **fields):
    data = {
        "bureau": bureau.pk,
        "slug": "",
        "title_ja": "水素社会の実現に向けた施策の推進",
        "title_en": "",
        "description_ja": "",
        "description_en": "",
        "order": "0",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.django_db
def test_a_clerk_who_writes_japanese_only_gets_a_slug_made(hr_client):
    bureau = make_bureau()
    response = hr_client.post(ADD, add_form(bureau))
    assert response.status_code == 302, response.context["adminform"].form.errors
    duty = Duty.objects.get(title_ja="水素社会の実現に向けた施策の推進")
    assert SHORT_ID.match(duty.slug)
    # A new duty is a draft: its address does not exist until it is approved.
    assert duty.first_published_at is None
    assert hr_client.get(duty.get_absolute_url()).status_code == 404
    approve_open_draft(duty)
    assert hr_client.get(duty.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_an_english_title_makes_a_readable_slug_and_a_typed_one_is_kept(hr_client):
    bureau = make_bureau()
    make_duty(bureau=bureau, slug="hydrogen-policy")
    hr_client.post(ADD, add_form(bureau, title_en="Hydrogen policy"))
    assert Duty.objects.filter(bureau=bureau, slug="hydrogen-policy-2").exists()
    hr_client.post(ADD, add_form(bureau, title_ja="別の業務", slug="my-own-slug"))
    assert Duty.objects.get(title_ja="別の業務").slug == "my-own-slug"


@pytest.mark.django_db
def test_a_slug_taken_in_the_bureau_is_refused_next_to_the_field(hr_client):
    bureau = make_bureau()
    make_duty(bureau=bureau, slug="taken")
    response = hr_client.post(ADD, add_form(bureau, slug="taken"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors
    # Another bureau may use it.
    response = hr_client.post(ADD, add_form(make_bureau(), slug="taken"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_slug_stays_editable_until_the_duty_is_first_published(hr_client):
    bureau = make_bureau()
    hr_client.post(ADD, add_form(bureau))
    draft = Duty.objects.get(title_ja="水素社会の実現に向けた施策の推進")
    assert draft.first_published_at is None
    page = hr_client.get(change_url(draft))
    assert "slug" in page.context["adminform"].form.fields

    response = hr_client.post(change_url(draft), add_form(bureau, slug="suiso-shakai"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.slug == "suiso-shakai" and draft.first_published_at is None
    approve_open_draft(draft)
    draft.refresh_from_db()
    assert draft.first_published_at is not None

    # Published: the URL is out in links and print packs, and the slug is shown read-only.
    page = hr_client.get(change_url(draft))
    assert "slug" not in page.context["adminform"].form.fields
    assert "suiso-shakai" in page.content.decode()
    hr_client.post(change_url(draft), add_form(bureau, slug="another-name"))
    draft.refresh_from_db()
    assert draft.slug == "suiso-shakai"


@pytest.mark.django_db
def test_duties_are_added_on_their_own_page_not_in_their_bureaus_list(hr_client):
    # Each duty is a draft of its own, previewed and approved on its own page.
    bureau = make_bureau()
    page = hr_client.get(reverse("admin:bureaus_bureau_change", args=[bureau.pk]))
    formset = page.context["inline_admin_formsets"][0].formset
    assert formset.max_num == 0 or not page.context["inline_admin_formsets"][0].has_add_permission


# --- A slug freed for a duty moved into another bureau (bureaus.reorganisation). -------


def test_a_moved_duty_keeps_its_slug_when_it_is_free():
    assert free_duty_slug(slug="ferries", taken={"planning"}) == "ferries"


def test_a_moved_duty_whose_slug_is_taken_gets_the_next_free_number():
    assert free_duty_slug(slug="planning", taken={"planning"}) == "planning-2"
    assert free_duty_slug(slug="planning", taken={"planning", "planning-2"}) == "planning-3"


def test_a_freed_slug_stays_within_the_fields_length():
    long = "a" * 80
    assert free_duty_slug(slug=long, taken={long}) == "a" * 76
    assert free_duty_slug(slug=long, taken={long, "a" * 76}) == "a" * 76 + "-2"
