"""Pre-consultation requests (事前相談) and the outbox of mails that route them."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.workflow import CLOSED, RouteStatus
from bureaus.models import Bureau, Duty
from core.history import History
from staffauth.roles import sees_every_request


class Industry(models.TextChoices):
    ENERGY = "energy", _("エネルギー")
    TELECOMMUNICATIONS = "telecommunications", _("通信")
    FINANCE = "finance", _("金融")
    INSURANCE = "insurance", _("保険")
    IT = "it", _("情報・IT")
    MANUFACTURING = "manufacturing", _("製造")
    CONSTRUCTION = "construction", _("建設・不動産")
    TRANSPORT = "transport", _("運輸・物流")
    TRADING = "trading", _("商社・卸売")
    RETAIL = "retail", _("小売・サービス")
    CONSULTING = "consulting", _("コンサルティング")
    MEDIA = "media", _("メディア・広告")
    HEALTHCARE = "healthcare", _("医療・福祉")
    OTHER = "other", _("その他")


class Answer(models.TextChoices):
    """An applicant's answer to a restriction self-check question."""

    NO = "no", _("いいえ")
    YES = "yes", _("はい")
    UNSURE = "unsure", _("わからない")


# The programme runs on Tokyo time: a request received at 00:30 on 1 January in
# Tokyo belongs to the new year, whatever the server's or the database's zone.
TOKYO = ZoneInfo("Asia/Tokyo")


class InquiryQuerySet(models.QuerySet):
    """Reads of many requests: who may see which, and the public statistics' counts."""

    def visible_to(self, user):
        """The requests a staff account may see: all for HR, those routed to its bureaus
        for bureau staff. A request sent to several bureaus is visible to each of them."""
        if sees_every_request(user):
            return self
        return self.filter(pk__in=InquiryRoute.objects.visible_to(user).values("inquiry"))

    def counts_by_bureau(self):
        """{bureau pk: number of requests naming it}, most first; None counts requests
        that named no bureau (other duties only). A request naming several bureaus
        counts once for each."""
        rows = (
            self.order_by()
            .values("bureaus")
            .annotate(count=Count("pk", distinct=True))
            .order_by("-count", "bureaus")
        )
        return {row["bureaus"]: row["count"] for row in rows}

    def counts_by_industry(self):
        """{industry value: number of requests}, most first."""
        rows = (
            self.order_by()
            .values("industry")
            .annotate(count=Count("pk"))
            .order_by("-count", "industry")
        )
        return {row["industry"]: row["count"] for row in rows}

    def counts_by_year(self):
        """{year of receipt in Tokyo: number of requests}, oldest year first."""
        rows = (
            self.order_by()
            .annotate(year=ExtractYear("received_at", tzinfo=TOKYO))
            .values("year")
            .annotate(count=Count("pk"))
            .order_by("year")
        )
        return {row["year"]: row["count"] for row in rows}


class Inquiry(models.Model):
    """A company's request for a pre-consultation, as submitted through the form."""

    reference = models.CharField("受付番号", max_length=20, unique=True, editable=False)
    # Set when the form is first shown; a second submission of the same form
    # (double click, back and resubmit) finds the inquiry this token made.
    submission_token = models.UUIDField(unique=True, editable=False)
    language = models.CharField(
        "使用言語", max_length=2, choices=[("ja", "日本語"), ("en", "English")]
    )
    received_at = models.DateTimeField("受付日時", default=timezone.now, db_index=True)

    company_name = models.CharField("企業・団体名", max_length=200)
    industry = models.CharField("業種", max_length=30, choices=Industry)
    industry_other = models.CharField("業種（その他）", max_length=100, blank=True)
    main_business = models.CharField("主な事業内容", max_length=300)
    contact_name = models.CharField("担当者氏名", max_length=100)
    contact_name_kana = models.CharField("担当者氏名（ふりがな）", max_length=100, blank=True)
    department = models.CharField("部署", max_length=150)
    job_title = models.CharField("役職", max_length=100, blank=True)
    email = models.EmailField("メールアドレス")
    phone = models.CharField(
        "電話番号", max_length=40, help_text="内線は「内線1234」の形で後ろに付きます。"
    )

    bureaus = models.ManyToManyField(
        Bureau, related_name="inquiries", blank=True, verbose_name="希望する局"
    )
    duties = models.ManyToManyField(
        Duty, related_name="inquiries", blank=True, verbose_name="希望する業務"
    )
    other_duties = models.TextField("その他の希望業務", blank=True)
    desired_start = models.DateField("希望開始月")
    desired_months = models.PositiveSmallIntegerField("希望期間（月）")
    message = models.TextField("ご相談内容", blank=True)

    licensing_relation = models.CharField(
        "処分・許認可・行政指導の関係", max_length=10, choices=Answer
    )
    subsidy_relation = models.CharField("補助金等の交付の関係", max_length=10, choices=Answer)
    contract_relation = models.CharField("契約の関係", max_length=10, choices=Answer)
    purpose_acknowledged_at = models.DateTimeField("利用目的への同意日時")
    # The secret in the applicant's status link; None once revoked.
    status_token = models.CharField(
        "状況確認リンクの鍵", max_length=64, unique=True, null=True, blank=True, editable=False
    )
    anonymised_at = models.DateTimeField("匿名化日時", null=True, blank=True, editable=False)

    objects = InquiryQuerySet.as_manager()

    history = History()

    class Meta:
        verbose_name = "事前相談の申込み"
        verbose_name_plural = "事前相談の申込み"
        ordering = ["-received_at", "-pk"]
        # Granted to HR by setup_roles; HR may grant it to a bureau's staff too, who
        # then export only their own bureaus' requests (the admin's queryset is scoped).
        permissions = [("export_inquiry", "事前相談の申込みを CSV で書き出す")]
        constraints = [
            models.CheckConstraint(
                condition=Q(desired_months__gte=1) & Q(desired_months__lte=36),
                name="inquiry_desired_months_1_to_36",
            ),
            models.CheckConstraint(
                condition=Q(licensing_relation__in=Answer.values)
                & Q(subsidy_relation__in=Answer.values)
                & Q(contract_relation__in=Answer.values),
                name="inquiry_answers_known",
            ),
            models.CheckConstraint(condition=~Q(company_name=""), name="inquiry_company_required"),
            models.CheckConstraint(condition=~Q(email=""), name="inquiry_email_required"),
        ]

    def __str__(self):
        return f"{self.reference} {self.company_name}"

    @staticmethod
    def reference_for(pk, received_at):
        """The reference shown to the applicant: KR-<year>-<six-digit serial>.

        It identifies the request in conversation; it opens nothing.
        """
        return f"KR-{received_at.year}-{pk:06d}"

    @property
    def restriction_answers(self):
        return {
            "licensing": self.licensing_relation,
            "subsidy": self.subsidy_relation,
            "contract": self.contract_relation,
        }


class NotificationKind(models.TextChoices):
    BUREAU = "bureau", "局あて"
    CENTRAL = "central", "人事課（写し）"
    ACKNOWLEDGEMENT = "acknowledgement", "申込者への受付確認"
    OVERDUE_REMINDER = "overdue_reminder", "回答期限超過のお知らせ（局あて）"
    OVERDUE_ESCALATION = "overdue_escalation", "回答期限超過の連絡（人事課あて）"
    REVIEW_REMINDER = "review_reminder", "掲載内容の確認依頼（局あて）"
    REVIEW_UNADDRESSED = "review_unaddressed", "連絡先のない局の確認依頼（人事課あて）"
    ALERT = "alert", "送信失敗の連絡（人事課あて）"


# The mails that route one request: each goes to an address once per request.
REQUEST_KINDS = [
    NotificationKind.BUREAU,
    NotificationKind.CENTRAL,
    NotificationKind.ACKNOWLEDGEMENT,
]


class NotificationState(models.TextChoices):
    PENDING = "pending", "送信待ち"
    SENDING = "sending", "送信中"
    SENT = "sent", "送信済み"
    FAILED = "failed", "送信失敗（再試行を終了）"
    CANCELLED = "cancelled", "取消し"


class NotificationQuerySet(models.QuerySet):
    def due(self, now=None):
        """Notifications a worker may take now: pending and past their retry time, or
        claimed by a worker whose lease ran out (it died mid-send)."""
        now = now or timezone.now()
        return self.filter(
            Q(state=NotificationState.PENDING, next_attempt_at__lte=now)
            | Q(state=NotificationState.SENDING, lease_expires_at__lte=now)
        )


class Notification(models.Model):
    """One mail the portal sends: the transactional outbox.

    Every mail is a row written in the transaction of what it reports (a request,
    a reminder, a failed mail), with its subject and body rendered then; only the
    worker (``manage.py send_notifications``) sends them.
    """

    inquiry = models.ForeignKey(
        Inquiry,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="申込み",
        help_text="申込みについてのメールのとき。リマインダーなどは空欄です。",
    )
    kind = models.CharField("種類", max_length=20, choices=NotificationKind)
    recipient = models.EmailField("宛先")
    subject = models.CharField("件名", max_length=255, blank=True)
    body = models.TextField("本文", blank=True)
    bureaus = models.ManyToManyField(
        Bureau, blank=True, related_name="+", verbose_name="担当する局"
    )
    covers_other_duties = models.BooleanField("その他の業務を含む", default=False)
    # The requests (as bureaus handle them) a reminder lists, so that the retention
    # purge finds every mail that names a request.
    routes = models.ManyToManyField(
        "InquiryRoute", blank=True, related_name="reminders", verbose_name="対象の局ごとの対応"
    )
    # The mail an alert reports; one alert per failed mail.
    alert_for = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert",
        verbose_name="送信できなかったメール",
    )
    state = models.CharField(
        "状態", max_length=10, choices=NotificationState, default=NotificationState.PENDING
    )
    attempts = models.PositiveSmallIntegerField("送信試行回数", default=0)
    next_attempt_at = models.DateTimeField("次の送信予定", default=timezone.now)
    lease_expires_at = models.DateTimeField("送信処理の期限", null=True, blank=True)
    last_error = models.TextField("直近のエラー", blank=True)
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)
    created_at = models.DateTimeField("作成日時", default=timezone.now)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "通知メール"
        verbose_name_plural = "通知メール"
        ordering = ["created_at", "pk"]
        indexes = [
            # The worker's query: what is due, oldest first.
            models.Index(fields=["state", "next_attempt_at"], name="notification_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["inquiry", "kind", "recipient"],
                condition=Q(kind__in=REQUEST_KINDS),
                name="notification_one_per_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=REQUEST_KINDS) | Q(inquiry__isnull=False),
                name="notification_request_kind_has_request",
            ),
            models.CheckConstraint(
                condition=Q(state__in=NotificationState.values), name="notification_state_known"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_known"
            ),
            models.CheckConstraint(
                condition=~Q(state=NotificationState.SENT) | Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]

    def __str__(self):
        about = self.inquiry.reference if self.inquiry_id else self.get_kind_display()
        return f"{about} → {self.recipient} ({self.get_state_display()})"

    def retry_delay(self):
        """Exponential backoff after the n-th failed attempt: 1, 2, 4 … minutes, capped at 6 h."""
        return timedelta(minutes=min(2 ** max(self.attempts - 1, 0), 360))


class InquiryRouteQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The routes a staff account may see: all for HR, its bureaus' for bureau staff
        (never the central window's, which HR alone handles)."""
        if sees_every_request(user):
            return self
        return self.filter(bureau__staff__user=user)


# Who handles a central route, as staff and the applicant's status page name it.
CENTRAL_WINDOW_NAME_JA = "総務局人事部人事課"
CENTRAL_WINDOW_NAME = _("総務局人事部人事課")


class InquiryRoute(models.Model):
    """One request as one bureau, or the central window, handles it: its own status,
    assignee and deadline.

    A request that names no bureau (it asks about other duties only) is handled by
    the central window (総務局人事部人事課): its route has no bureau and says
    ``is_central``. The window is not a ``Bureau``: bureaus are the public catalogue
    (its pages, the form's choices, open data, the statistics by bureau), and the
    window is the one ``core.InquiryWindow``, so a flag says it rather than a row
    every list of bureaus would have to leave out.
    """

    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.CASCADE, related_name="routes", verbose_name="申込み"
    )
    bureau = models.ForeignKey(
        Bureau,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inquiry_routes",
        verbose_name="局",
        help_text="中央窓口（人事課）の対応では空欄です。",
    )
    is_central = models.BooleanField(
        "中央窓口（人事課）の対応",
        default=False,
        editable=False,
        help_text="局を指定しない申込み（その他の業務のみ）を人事課が受け持つとき。",
    )
    status = models.CharField(
        "状況", max_length=20, choices=RouteStatus, default=RouteStatus.RECEIVED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_routes",
        verbose_name="担当者",
    )
    reply_by = models.DateField("回答期限", null=True, blank=True)
    closed_at = models.DateTimeField("終了日時", null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField("期限超過の通知日時", null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField("人事課への連絡日時", null=True, blank=True, editable=False)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = InquiryRouteQuerySet.as_manager()

    history = History()

    class Meta:
        verbose_name = "局ごとの対応"
        verbose_name_plural = "局ごとの対応"
        ordering = ["-inquiry__received_at", "bureau__order"]
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "bureau"], name="route_once_per_bureau"),
            models.UniqueConstraint(
                fields=["inquiry"],
                condition=Q(is_central=True),
                name="route_once_per_central_window",
            ),
            # A route is a bureau's or the central window's, never both nor neither.
            models.CheckConstraint(
                condition=Q(is_central=True, bureau__isnull=True)
                | Q(is_central=False, bureau__isnull=False),
                name="route_bureau_or_central_window",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RouteStatus.values), name="route_status_known"
            ),
        ]

    def __str__(self):
        return f"{self.inquiry.reference} {self.handler_name_ja}（{self.get_status_display()}）"

    @property
    def handler_name(self):
        """Who handles the route, in the active language: its bureau, or the central window."""
        return self.bureau.name if self.bureau_id else str(CENTRAL_WINDOW_NAME)

    @property
    def handler_name_ja(self):
        """Who handles the route, in Japanese (staff screens, exports, staff mail)."""
        return self.bureau.name_ja if self.bureau_id else CENTRAL_WINDOW_NAME_JA

    @property
    def is_closed(self):
        return self.status in CLOSED


class InternalNote(models.Model):
    """A note staff keep on a request at one bureau; never mailed, never shown to the applicant."""

    route = models.ForeignKey(
        InquiryRoute, on_delete=models.CASCADE, related_name="notes", verbose_name="局ごとの対応"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="記入者"
    )
    body = models.TextField("内部メモ")
    created_at = models.DateTimeField("記入日時", default=timezone.now)

    class Meta:
        verbose_name = "内部メモ"
        verbose_name_plural = "内部メモ"
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="note_body_required")]

    def __str__(self):
        return f"{self.route} {self.created_at:%Y-%m-%d %H:%M}"


class AccessAction(models.TextChoices):
    VIEW = "view", "閲覧"
    EXPORT = "export", "書き出し"
    CANCEL_MAIL = "cancel_mail", "メールの送信取消し"


class InquiryAccess(models.Model):
    """Who looked at or exported a request's personal data, or cancelled a mail, and when."""

    inquiry = models.ForeignKey(
        Inquiry,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="accesses",
        verbose_name="申込み",
    )
    notification = models.ForeignKey(
        Notification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="通知メール",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="職員"
    )
    action = models.CharField("操作", max_length=20, choices=AccessAction)
    at = models.DateTimeField("日時", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "個人情報の閲覧記録"
        verbose_name_plural = "個人情報の閲覧記録"
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AccessAction.values), name="access_action_known"
            )
        ]

    def __str__(self):
        about = self.inquiry.reference if self.inquiry_id else f"通知メール {self.notification_id}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {about}"
