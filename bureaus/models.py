"""The catalogue: bureaus of the Tokyo Metropolitan Government and their example duties."""

from django.conf import settings
from django.core.validators import slug_re
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language

from bureaus.review import is_due_for_review, latest_confirmation_due
from bureaus.search import fold
from core.content import Bilingual, OrderedContent, phone_validator, tel_uri
from core.history import History
from core.models import FormerAddress
from core.publication import Publishable, PublishableQuerySet, Visibility, live_condition
from core.revision import bump_content_revision


class Theme(OrderedContent, Publishable):
    slug = models.SlugField(
        "URL 用の名前",
        max_length=50,
        unique=True,
        help_text="半角英小文字・数字・ハイフンのみ。絞り込みの URL に使われます（例: environment）。",
    )
    name_ja = models.CharField("テーマ名（日本語）", max_length=60)
    name_en = models.CharField("テーマ名（英語）", max_length=80, blank=True)
    search_text_ja = models.TextField(editable=False, default="")
    search_text_en = models.TextField(editable=False, default="")
    name = Bilingual()

    objects = PublishableQuerySet.as_manager()

    history = History()

    class Meta:
        verbose_name = "テーマ"
        verbose_name_plural = "テーマ"
        ordering = ["order", "slug"]
        constraints = [
            models.CheckConstraint(condition=~Q(name_ja=""), name="theme_name_ja_required"),
            models.CheckConstraint(condition=~Q(slug=""), name="theme_slug_required"),
        ]

    def __str__(self):
        return self.name_ja

    def save(self, *args, **kwargs):
        self.search_text_ja, self.search_text_en = search_texts(self.name_ja, self.name_en)
        super().save(*args, **kwargs)


def search_texts(*pairs):
    """(Japanese, English) search text of (ja, en) text pairs, folded: each language's
    page searches what it shows, the English falling back to the Japanese."""
    pairs = list(zip(pairs[::2], pairs[1::2], strict=True))
    return fold(*(ja for ja, _en in pairs)), fold(*(en or ja for ja, en in pairs))


class Bureau(OrderedContent, Publishable):
    slug = models.SlugField(
        "URL 用の名前",
        max_length=50,
        unique=True,
        help_text="半角英小文字・数字・ハイフンのみ。局のページの URL になります（例: environment）。"
        "公開後に変えると、以前の URL（局と業務のページ）は新しい URL に転送されます。",
    )
    name_ja = models.CharField("局名（日本語）", max_length=60)
    name_en = models.CharField("局名（英語）", max_length=120, blank=True)
    contact_section_ja = models.CharField(
        "お問合せ先の部課（日本語）",
        max_length=80,
        help_text="局名を除いた部課名（例: 総務部総務課）。",
    )
    contact_section_en = models.CharField("お問合せ先の部課（英語）", max_length=160, blank=True)
    phone = models.CharField(
        "電話番号",
        max_length=20,
        validators=[phone_validator],
        help_text="半角数字とハイフン（例: 03-5388-2113）。サイトでは押すと電話をかけられるリンクになります。",
    )
    contact_email = models.EmailField(
        "連絡先メールアドレス",
        blank=True,
        help_text="事前相談の申込みを受け取るアドレス。空欄の局あての申込みは総務局人事部人事課に届きます。",
    )
    search_text_ja = models.TextField(editable=False, default="")
    search_text_en = models.TextField(editable=False, default="")
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    name = Bilingual()
    contact_section = Bilingual()

    objects = PublishableQuerySet.as_manager()

    history = History()

    class Meta:
        verbose_name = "局"
        verbose_name_plural = "局"
        ordering = ["order", "slug"]
        constraints = [
            models.CheckConstraint(condition=~Q(name_ja=""), name="bureau_name_ja_required"),
            models.CheckConstraint(condition=~Q(slug=""), name="bureau_slug_required"),
            models.CheckConstraint(
                condition=~Q(contact_section_ja=""), name="bureau_contact_section_required"
            ),
            models.CheckConstraint(
                condition=Q(phone__startswith="0") & Q(phone__contains="-"),
                name="bureau_phone_domestic_format",
            ),
        ]

    def __str__(self):
        return self.name_ja

    def save(self, *args, **kwargs):
        self.search_text_ja, self.search_text_en = search_texts(self.name_ja, self.name_en)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # The catalogue links hundreds of duties under a few bureaus, each duty's URL
        # built on its bureau's: reverse once per bureau, language and slug.
        key = (get_language(), self.slug)
        urls = self.__dict__.setdefault("_absolute_urls", {})
        if key not in urls:
            urls[key] = reverse("bureaus:detail", kwargs={"slug": self.slug})
        return urls[key]

    @property
    def phone_uri(self):
        return tel_uri(self.phone)

    def public_addresses(self):
        """(item, key) of the addresses that hang on this bureau: its page and its
        duties' pages (core.publishing records them when they move)."""
        return [(self, self.slug)] + [
            (duty, f"{self.slug}/{duty.slug}") for duty in self.duties.order_by("pk")
        ]


class DutyQuerySet(PublishableQuerySet):
    def live(self, now=None):
        """Duties on the site at ``now``: live themselves and in a live bureau."""
        now = now or timezone.now()
        return self.filter(live_condition(now), live_condition(now, prefix="bureau__"))

    def live_alone(self, now=None):
        """Duties live themselves, for a list whose bureaus are known to be live."""
        return super().live(now)

    def due_for_review(self, today, months=None):
        """Duties whose bureau never confirmed them, or last did at least the review
        interval ago.

        ``months`` defaults to settings.REVIEW_INTERVAL_MONTHS; the date rule is
        bureaus.review.is_due_for_review.
        """
        months = settings.REVIEW_INTERVAL_MONTHS if months is None else months
        return self.filter(
            Q(confirmed_at__isnull=True)
            | Q(confirmed_at__lte=latest_confirmation_due(today, months))
        )

    def identified_by(self, ids):
        """The duties among catalogue ids ('bureau-slug/duty-slug', as shortlists and
        consultation links carry them), read with their bureaus in one query; ids
        that are malformed or match nothing are left out.

        An id a duty had before its bureau was renamed or merged, or before it moved
        to another bureau, finds the duty (FormerAddress): a shortlist kept over an
        April reorganisation still holds its duties.
        """
        pairs = [parsed for value in ids if (parsed := Duty.parse_catalogue_id(value))]
        if not pairs:
            return self.none()
        matching = Q(pk__in=FormerAddress.objects.moved_ids(Duty, [f"{b}/{s}" for b, s in pairs]))
        for bureau_slug, slug in pairs:
            matching |= Q(bureau__slug=bureau_slug, slug=slug)
        return self.filter(matching).select_related("bureau")

    def confirm(self, on):
        """Record that the bureaus confirmed these duties on the given day."""
        updated = self.update(confirmed_at=on)
        # update() sends no post_save, and the date shows on the duty pages.
        if updated:
            bump_content_revision(sender=Duty)
        return updated


class Duty(OrderedContent, Publishable):
    bureau = models.ForeignKey(
        Bureau, on_delete=models.PROTECT, related_name="duties", verbose_name="局"
    )
    slug = models.SlugField(
        "URL 用の名前",
        max_length=80,
        help_text="業務のページの URL になります。空欄のままなら、英語の業務内容から"
        "（なければ短い英数字の記号で）自動で付けます。半角英小文字・数字・ハイフンのみで、"
        "同じ局の中で重複できません。初めて公開した後は変えられません。",
    )
    title_ja = models.CharField(
        "業務内容（日本語）", max_length=300, help_text="一覧に表示される業務内容の文言です。"
    )
    title_en = models.CharField("業務内容（英語）", max_length=400, blank=True)
    description_ja = models.TextField(
        "補足説明（日本語）",
        blank=True,
        help_text="業務内容の補足（任意）。業務のページに表示されます。",
    )
    description_en = models.TextField("補足説明（英語）", blank=True)
    themes = models.ManyToManyField(
        Theme,
        related_name="duties",
        blank=True,
        verbose_name="テーマ",
        help_text="一覧の「テーマで絞り込む」に使われます。複数選べます。",
    )
    order = models.PositiveSmallIntegerField(
        "表示順", default=0, help_text="局の中で、小さい数ほど先に表示されます。"
    )
    search_text_ja = models.TextField(editable=False, default="")
    search_text_en = models.TextField(editable=False, default="")
    confirmed_at = models.DateField(
        "最終確認日",
        null=True,
        blank=True,
        help_text="局が最後に内容を確認した日（局が確認するまでは空欄）。業務のページに表示され、"
        "空欄のとき、または確認から一定期間（既定 12 か月）が過ぎると局に確認を依頼するメールが送られます。"
        "局が確認したら、一覧で選んで操作「本日確認済みにする」を実行してください。",
    )
    source_ja = models.CharField(
        "出典（日本語）",
        max_length=200,
        blank=True,
        help_text="局が確認するまで、業務のページに最終確認日の代わりに表示される出典（例: チラシ）。",
    )
    source_en = models.CharField("出典（英語）", max_length=300, blank=True)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = DutyQuerySet.as_manager()

    # The order in its bureau's list, and the bureau's confirmation, are not content
    # a version carries: each is its own act (core.publishing.versioned_fields).
    UNVERSIONED_FIELDS = ("order", "confirmed_at")

    title = Bilingual()
    description = Bilingual()
    source = Bilingual()

    history = History()

    class Meta:
        verbose_name = "業務内容例"
        verbose_name_plural = "業務内容例"
        ordering = ["bureau__order", "bureau__slug", "order", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "slug"], name="duty_slug_unique_in_bureau"),
            models.CheckConstraint(condition=~Q(title_ja=""), name="duty_title_ja_required"),
            models.CheckConstraint(condition=~Q(slug=""), name="duty_slug_required"),
        ]

    def __str__(self):
        return self.title_ja

    def save(self, *args, **kwargs):
        self.search_text_ja, self.search_text_en = search_texts(
            self.title_ja, self.title_en, self.description_ja, self.description_en
        )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # Duty pages sit under their bureau's page (bureaus/urls.py): /bureaus/<bureau>/<duty>/.
        return f"{self.bureau.get_absolute_url()}{self.slug}/"

    @property
    def catalogue_id(self):
        """The duty's id in shortlists and consultation links: 'bureau-slug/duty-slug'."""
        return f"{self.bureau.slug}/{self.slug}"

    @staticmethod
    def parse_catalogue_id(value):
        """(bureau slug, duty slug) from 'bureau-slug/duty-slug', or None if it is not one."""
        bureau_slug, separator, duty_slug = (value or "").partition("/")
        if not separator or not slug_re.match(bureau_slug) or not slug_re.match(duty_slug):
            return None
        return bureau_slug, duty_slug

    def listed_with(self):
        """A new duty goes at the end of its own bureau's list."""
        return super().listed_with().filter(bureau_id=self.bureau_id)

    def public_addresses(self):
        """(item, key) of the duty's page (core.publishing records a move)."""
        return [(self, self.catalogue_id)]

    def visibility(self, now=None):
        """A duty is seen only in a live bureau: in a bureau that is not, its page
        has ended (or never existed, if the bureau never went public)."""
        now = now or timezone.now()
        own = super().visibility(now)
        bureau = self.bureau.visibility(now)
        if own == Visibility.LIVE and bureau != Visibility.LIVE:
            return bureau
        if bureau == Visibility.NEVER:
            return Visibility.NEVER
        return own

    @cached_property
    def listed_themes(self):
        """The duty's live themes in display order; lists set them in bulk with
        attach_listed_themes."""
        return list(self.themes.live())

    def matches(self, words, theme_slug="", language="ja"):
        """Whether every folded word is in the duty's text, its bureau's name or one of
        its themes' names, in ``language`` (the page's), and the duty carries the
        theme; no words and no theme match everything."""
        field = f"search_text_{language}"
        texts = [getattr(self, field), getattr(self.bureau, field)]
        texts += [getattr(theme, field) for theme in self.listed_themes]
        if not all(any(word in text for text in texts) for word in words):
            return False
        return not theme_slug or any(theme.slug == theme_slug for theme in self.listed_themes)

    def is_due_for_review(self, today, months=None):
        """Whether the bureau should confirm this duty's text again (see due_for_review)."""
        months = settings.REVIEW_INTERVAL_MONTHS if months is None else months
        return is_due_for_review(self.confirmed_at, today, months)


class BureauStaff(models.Model):
    """A staff account that handles one bureau's requests and duties (one row per bureau)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="bureau_memberships",
        verbose_name="職員",
    )
    bureau = models.ForeignKey(
        Bureau, on_delete=models.CASCADE, related_name="staff", verbose_name="局"
    )

    history = History()

    class Meta:
        verbose_name = "局の担当者"
        verbose_name_plural = "局の担当者"
        ordering = ["bureau__order", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "bureau"], name="bureaustaff_once_per_bureau")
        ]

    def __str__(self):
        return f"{self.bureau.name_ja}: {self.user.get_username()}"


def attach_listed_themes(duties):
    """The duties of a queryset, each with ``listed_themes`` set, in two queries however
    many they are.

    Each Theme is built once, with the fields a list shows, and shared by the duties
    that carry it. The catalogue lists hundreds of duties: prefetch_related, which
    builds a Theme per (duty, theme) pair, took ten times as long there
    (tests/bench/serving.py).
    """
    listed = list(duties)
    # from_db takes the values in the model's field order.
    shown = {"id", "slug", "name_ja", "name_en", "order", "search_text_ja", "search_text_en"}
    fields = [f.attname for f in Theme._meta.concrete_fields if f.attname in shown]
    pairs = (
        Duty.themes.through.objects.filter(
            live_condition(timezone.now(), prefix="theme__"), duty__in=duties.values("pk")
        )
        .order_by("theme__order", "theme__slug")
        .values_list("duty_id", *(f"theme__{name}" for name in fields))
    )
    themes, by_duty, id_index = {}, {}, fields.index("id")
    for duty_id, *values in pairs:
        theme_id = values[id_index]
        if theme_id not in themes:
            themes[theme_id] = Theme.from_db(pairs.db, fields, values)
        theme = themes[theme_id]
        by_duty.setdefault(duty_id, []).append(theme)
    for duty in listed:
        duty.listed_themes = by_duty.get(duty.pk, [])
    return listed
