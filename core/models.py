"""What every page stands on: the central inquiry window and the content revision.

Both were once part of the programme app; their tables keep the names they had
(``portal_*``), so moving them changed no data.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Greatest
from django.utils import timezone

from core.content import Bilingual, active_language, phone_validator, tel_uri
from core.history import History
from core.publication import Publishable, PublishableQuerySet, State


class InquiryWindowQuerySet(PublishableQuerySet):
    def current(self):
        """The central window (there is exactly one), or None before it is set up."""
        return self.order_by("pk").first()


class InquiryWindow(Publishable):
    """The central window for questions about the programme (there is exactly one).

    Its row holds the approved content, which the mail path uses; the footer shows
    it while it is live (core.revision). A change waits as a draft until approved.
    """

    # A constant column with a unique constraint lets the database refuse a second row.
    singleton = models.BooleanField(default=True, editable=False, unique=True)
    name_ja = models.CharField("窓口名（日本語）", max_length=100)
    name_en = models.CharField("窓口名（英語）", max_length=200, blank=True)
    phone = models.CharField(
        "電話番号",
        max_length=20,
        validators=[phone_validator],
        help_text="半角数字とハイフン（例: 03-5388-2374）。",
    )
    contact_email = models.EmailField(
        "連絡先メールアドレス",
        help_text="事前相談の申込みの写し、連絡先のない局あての申込みを受け取るアドレス。",
    )
    website = models.URLField(
        "ホームページ",
        validators=[
            RegexValidator(r"^https?://", "http:// か https:// で始まる URL を入力してください。")
        ],
        help_text="受入れ情報の詳細や最新状況、応募方法を載せている総務局のページ。",
    )
    website_in_english = models.BooleanField(
        "ホームページが英語でも読める",
        default=False,
        help_text="チェックがないとき、英語のページではリンクに、日本語のページである旨を添えます。",
    )

    objects = InquiryWindowQuerySet.as_manager()

    name = Bilingual()

    history = History(table_name="portal_historicalinquirywindow")

    class Meta:
        db_table = "portal_inquirywindow"
        verbose_name = "制度に関するお問合せ窓口"
        verbose_name_plural = "制度に関するお問合せ窓口"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="inquirywindow_single_row"),
            models.CheckConstraint(condition=~Q(name_ja=""), name="inquirywindow_name_ja_required"),
        ]

    def __str__(self):
        return self.name_ja

    def website_hreflang(self):
        """The hreflang of the website link: "ja" when the reader must be told the site is
        in Japanese only (an English page, website_in_english not ticked), else ""."""
        return "" if self.website_in_english or active_language() == "ja" else "ja"

    @property
    def phone_uri(self):
        return tel_uri(self.phone)


class ContentRevision(models.Model):
    """The version of the published content: bumped by every change to it.

    Pages use it as their ETag and Last-Modified and in their cache keys, so an
    edit in admin is on the site at the next request, with no stale copy.
    """

    singleton = models.BooleanField(default=True, editable=False, unique=True)
    number = models.PositiveBigIntegerField("版", default=1)
    changed_at = models.DateTimeField("更新日時", default=timezone.now)
    # The next 公開開始日時 or 公開終了日時 of approved content: at that moment the
    # site changes with no edit, so the first request after it makes a new revision
    # (core.revision.current_revision).
    next_boundary_at = models.DateTimeField("次の公開予定の切替日時", null=True, blank=True)

    class Meta:
        db_table = "portal_contentrevision"
        verbose_name = "掲載内容の版"
        verbose_name_plural = "掲載内容の版"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="contentrevision_single_row")
        ]

    def __str__(self):
        return f"{self.number} ({self.changed_at:%Y-%m-%d %H:%M})"

    @classmethod
    def current(cls):
        """The current revision (created on first use)."""
        revision, _created = cls.objects.get_or_create(singleton=True)
        return revision

    @classmethod
    def bump(cls, *, next_boundary_at=None):
        """Mark the content as changed now; ``next_boundary_at`` is the next scheduled
        change of the content after now (a moment, or an SQL expression giving it)."""
        # Last-Modified has whole seconds: two edits within one second must still
        # differ, or If-Modified-Since would hide the second.
        updated = cls.objects.update(
            number=models.F("number") + 1,
            changed_at=Greatest(
                models.Value(timezone.now()), models.F("changed_at") + timedelta(seconds=1)
            ),
            next_boundary_at=next_boundary_at,
        )
        if not updated:
            cls.objects.get_or_create(singleton=True)
            cls.objects.update(next_boundary_at=next_boundary_at)

    @classmethod
    def pass_boundary(cls, *, boundary, next_boundary_at):
        """Mark the content as changed at a scheduled ``boundary`` that has passed.

        Only the first caller for a boundary moves the revision on (the update
        names the boundary it passes), so concurrent requests make one revision.
        """
        return cls.objects.filter(next_boundary_at=boundary).update(
            number=models.F("number") + 1,
            changed_at=Greatest(
                models.Value(boundary), models.F("changed_at") + timedelta(seconds=1)
            ),
            next_boundary_at=next_boundary_at,
        )


class RateCounter(models.Model):
    """How many times one key (a visitor's hashed address and an action) acted in its
    current window: the limits' shared memory, kept in the database so that every app
    server counts together and a cache outage cannot switch a limit off."""

    key = models.CharField("キー", max_length=100, unique=True)
    count = models.PositiveIntegerField("回数", default=0)
    window_ends_at = models.DateTimeField("期間の終わり", db_index=True)

    class Meta:
        verbose_name = "送信回数の記録"
        verbose_name_plural = "送信回数の記録"
        ordering = ["window_ends_at"]

    def __str__(self):
        return f"{self.key}: {self.count}"


class ContentVersionQuerySet(models.QuerySet):
    def of(self, item):
        """The versions of one item, newest first."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(item, for_concrete_model=False),
            object_id=item.pk,
        )

    def open(self):
        """Versions still being written or reviewed (at most one per item)."""
        return self.filter(state__in=[State.DRAFT, State.IN_REVIEW])

    def scheduled(self):
        """Approved changes of live items that wait for their 公開開始日時, earliest first
        (core.publishing.apply_scheduled_versions puts them on the site)."""
        return self.filter(
            state=State.APPROVED, applied_at__isnull=True, publish_starts_at__isnull=False
        ).order_by("publish_starts_at", "pk")


class ContentVersion(models.Model):
    """One version of a public item: a draft, one waiting for approval, an approved
    one (the history), or the record of a withdrawal.

    ``data`` holds the item's editable fields as the form saved them (many-to-many
    fields as lists of ids). The public row holds only approved content; a change
    to a live item waits here until a 承認者 approves it (core.publishing).
    """

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name="種類", related_name="+"
    )
    object_id = models.PositiveBigIntegerField("対象の ID")
    item = GenericForeignKey("content_type", "object_id")
    state = models.CharField("状態", max_length=20, choices=State, default=State.DRAFT)
    data = models.JSONField("内容", default=dict)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="作成者",
    )
    # Everyone who wrote this version: none of them may approve it (four eyes).
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name="編集した職員"
    )
    created_at = models.DateTimeField("作成日時", default=timezone.now)
    updated_at = models.DateTimeField("更新日時", default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="承認の依頼者",
    )
    submitted_at = models.DateTimeField("承認の依頼日時", null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="承認者",
    )
    reviewed_at = models.DateTimeField("承認・差戻しの日時", null=True, blank=True)
    comment = models.TextField("コメント", blank=True)
    publish_starts_at = models.DateTimeField("公開開始日時", null=True, blank=True)
    publish_ends_at = models.DateTimeField("公開終了日時", null=True, blank=True)
    # When an approved version's content went onto the public row: at approval, or,
    # for a change to a live item with a later 公開開始日時, at that moment (until
    # then the live content stays). None only while such a change waits.
    applied_at = models.DateTimeField("掲載に反映した日時", null=True, blank=True)

    objects = ContentVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "掲載内容の版"
        verbose_name_plural = "掲載内容の版"
        ordering = ["-created_at", "-pk"]
        permissions = [("approve_content", "掲載内容を承認する（承認者）")]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(state__in=[State.DRAFT, State.IN_REVIEW]),
                name="contentversion_one_open_draft",
            ),
            models.CheckConstraint(
                condition=Q(state__in=State.values), name="contentversion_state_known"
            ),
            models.CheckConstraint(
                condition=Q(publish_starts_at__isnull=True)
                | Q(publish_ends_at__isnull=True)
                | Q(publish_starts_at__lt=models.F("publish_ends_at")),
                name="contentversion_starts_before_it_ends",
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.content_type.name} {self.object_id}: {self.get_state_display()}"

    @property
    def is_scheduled(self):
        """An approved change that waits for its 公開開始日時 beside the live content."""
        return (
            self.state == State.APPROVED
            and self.applied_at is None
            and self.publish_starts_at is not None
        )


class FormerAddressQuerySet(models.QuerySet):
    def moved_ids(self, model, keys):
        """The ids (a subquery) of the items of ``model`` that the addresses ``keys``
        moved to."""
        content_type = ContentType.objects.get_for_model(model)
        return self.filter(content_type=content_type, key__in=keys).values("object_id")

    def moved_item(self, model, key):
        """The item of ``model`` that the address ``key`` moved to, or None."""
        content_type = ContentType.objects.get_for_model(model)
        former = self.filter(content_type=content_type, key=key).first()
        if former is None:
            return None
        return model._base_manager.filter(pk=former.object_id).first()


class FormerAddress(models.Model):
    """A public address an item had before it moved (a renamed or merged bureau, a duty
    moved to another bureau): the address answers 301 to the item's current page.

    ``key`` is the address's slugs, language-free, as the item's kind names them
    (a bureau: its slug; a duty: 'bureau-slug/duty-slug').
    """

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name="種類", related_name="+"
    )
    key = models.CharField("以前の URL 用の名前", max_length=200)
    object_id = models.PositiveBigIntegerField("移転先の ID")
    item = GenericForeignKey("content_type", "object_id")
    recorded_at = models.DateTimeField("記録日時", default=timezone.now)

    objects = FormerAddressQuerySet.as_manager()

    class Meta:
        verbose_name = "以前の URL"
        verbose_name_plural = "以前の URL"
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "key"], name="formeraddress_key_unique")
        ]

    def __str__(self):
        return f"{self.content_type.name}: {self.key}"
