"""What every page stands on: the central inquiry window and the content revision.

Both were once part of the programme app; their tables keep the names they had
(``portal_*``), so moving them changed no data.
"""

from datetime import timedelta

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Greatest
from django.utils import timezone

from core.content import Bilingual, phone_validator, tel_uri
from core.history import History


class InquiryWindowQuerySet(models.QuerySet):
    def current(self):
        """The central window (there is exactly one), or None before it is set up."""
        return self.order_by("pk").first()


class InquiryWindow(models.Model):
    """The central window for questions about the programme (there is exactly one)."""

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
    def bump(cls):
        """Mark the content as changed now."""
        # Last-Modified has whole seconds: two edits within one second must still
        # differ, or If-Modified-Since would hide the second.
        updated = cls.objects.update(
            number=models.F("number") + 1,
            changed_at=Greatest(
                models.Value(timezone.now()), models.F("changed_at") + timedelta(seconds=1)
            ),
        )
        if not updated:
            cls.objects.get_or_create(singleton=True)


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
