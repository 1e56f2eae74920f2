"""Building blocks every content model shares: bilingual fields, publication, phones."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language

from core.publication import Publishable, PublishableQuerySet

# Japanese numbers as printed on the flyer: 03-5388-2113 (landline), 090-1234-5678.
PHONE_PATTERN = r"^0\d{1,4}-\d{1,4}-\d{3,4}$"
phone_validator = RegexValidator(
    PHONE_PATTERN, "電話番号は 03-5388-2374 のように半角数字とハイフンで入力してください。"
)


def tel_uri(phone):
    """An RFC 3966 ``tel:`` URI in international form: 03-5388-2113 -> tel:+81-3-5388-2113."""
    return "tel:+81-" + phone.removeprefix("0")


def active_language():
    """The two-letter code of the active language, 'ja' or 'en'."""
    return "en" if (get_language() or "ja").startswith("en") else "ja"


class JapaneseFallback(str):
    """Japanese text standing in on an English page for an English field left blank.

    It behaves as the plain string everywhere (mail, JSON, attributes); templates that
    show it as page text mark it ``lang="ja"`` (core.templatetags.languages), so
    screen readers pronounce it as Japanese.
    """

    lang = "ja"


class Bilingual:
    """Read ``<name>_en`` when English is active, falling back to ``<name>_ja``.

    Japanese is the authoritative text of the flyer; an English field left
    blank by an editor shows the Japanese rather than an empty heading.
    """

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        if active_language() == "en":
            english = getattr(instance, f"{self.name}_en")
            if english:
                return english
            return JapaneseFallback(getattr(instance, f"{self.name}_ja"))
        return getattr(instance, f"{self.name}_ja")


class OrderedContent(models.Model):
    """Content listed in an order editors set."""

    order = models.PositiveSmallIntegerField(
        "表示順", default=0, help_text="小さい数ほど先に表示されます。"
    )

    # A place in a list is arranged directly, not a change of content to approve
    # (core.publishing.versioned_fields).
    UNVERSIONED_FIELDS = ("order",)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def end_of_order(self):
        """The order that puts this item after every other of its list."""
        last = self.listed_with().aggregate(last=models.Max("order"))["last"]
        return 0 if last is None else last + 1

    def listed_with(self):
        """The items this one is ordered among (all of its kind, by default)."""
        return type(self)._base_manager.exclude(pk=self.pk)


class ListedContent(OrderedContent, Publishable):
    """Fields every listed piece of content shares: display order and publication state."""

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["order", "pk"]
