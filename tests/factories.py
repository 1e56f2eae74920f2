"""factory-boy factories: a test names only what it is about; the rest is filled in.

Every value is valid and unique per row, so rows never collide with the flyer's
seed (which the data migrations load into every test database).
"""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from bureaus.models import Bureau, BureauStaff, Duty, Theme
from core.publication import State

# Approved and live since long ago, unless a test says otherwise.
LIVE_SINCE = datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC)


class LiveContentFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    publication_state = State.APPROVED
    first_published_at = factory.LazyAttribute(
        lambda item: None if item.publication_state == State.DRAFT else LIVE_SINCE
    )


class ThemeFactory(LiveContentFactory):
    class Meta:
        model = Theme

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name_ja = factory.Sequence(lambda n: f"テーマ{n}")
    name_en = factory.Sequence(lambda n: f"Theme {n}")
    order = factory.Sequence(lambda n: n)


class BureauFactory(LiveContentFactory):
    class Meta:
        model = Bureau

    slug = factory.Sequence(lambda n: f"bureau-{n}")
    name_ja = factory.Sequence(lambda n: f"試験局{n}")
    name_en = factory.Sequence(lambda n: f"Test Bureau {n}")
    contact_section_ja = "総務部総務課"
    contact_section_en = "General Affairs Section"
    phone = "03-5388-0000"
    contact_email = factory.LazyAttribute(
        lambda bureau: f"{bureau.slug}@kouryu.metro.tokyo.example"
    )
    # After the seed's bureaus.
    order = factory.Sequence(lambda n: 1000 + n)


class DutyFactory(LiveContentFactory):
    class Meta:
        model = Duty
        skip_postgeneration_save = True

    bureau = factory.SubFactory(BureauFactory)
    slug = factory.Sequence(lambda n: f"duty-{n}")
    title_ja = factory.Sequence(lambda n: f"試験業務{n}")
    title_en = factory.Sequence(lambda n: f"Test duty {n}")
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def themes(duty, create, themes, **kwargs):
        if create and themes:
            duty.themes.set(themes)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@kouryu.metro.tokyo.example")
    is_staff = True
    password = factory.django.Password("pw-not-used-12")


class BureauStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BureauStaff

    user = factory.SubFactory(UserFactory)
    bureau = factory.SubFactory(BureauFactory)


def approve_open_draft(item, **schedule):
    """Ask for review of the item's open draft and approve it as a second person (an
    approver who did not write it), with ``schedule`` (starts_at, ends_at)."""
    from core import publishing
    from core.models import ContentVersion

    version = ContentVersion.objects.of(item).open().get()
    if version.state == State.DRAFT:
        version = publishing.ask_for_review(version=version, by=version.author)
    approver = UserFactory(is_superuser=True)
    return publishing.approve(version=version, by=approver, **schedule)


def signed_in(group=None, *, superuser=False):
    """A browser of its own (a test client) signed in as a new staff account in
    ``group`` (a role set up by setup_roles), or as a superuser."""
    user = UserFactory(is_staff=True, is_superuser=superuser)
    if group:
        user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client
