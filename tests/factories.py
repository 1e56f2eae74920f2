"""factory-boy factories: a test names only what it is about; the rest is filled in.

Every value is valid and unique per row, so rows never collide with the flyer's
seed (which the data migrations load into every test database).
"""

import factory
from django.contrib.auth import get_user_model

from bureaus.models import Bureau, BureauStaff, Duty, Theme


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name_ja = factory.Sequence(lambda n: f"テーマ{n}")
    name_en = factory.Sequence(lambda n: f"Theme {n}")
    order = factory.Sequence(lambda n: n)


class BureauFactory(factory.django.DjangoModelFactory):
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


class DutyFactory(factory.django.DjangoModelFactory):
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
