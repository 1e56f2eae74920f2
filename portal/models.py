"""The programme's own content: overview, training, benefits, testimonials, restrictions, FAQ."""

from django.db import models
from django.db.models import Q

from core.content import Bilingual, ListedContent
from core.history import History
from core.publication import Publishable, PublishableQuerySet


class Place(models.TextChoices):
    """Where on the site a PageText is shown."""

    INTRODUCTION = "introduction", "トップページの導入文"
    BENEFITS_LEAD = "benefits_lead", "「人事交流のメリット」の見出し文"
    RESTRICTIONS_LEAD = "restrictions_lead", "受入れ制限の前置き"
    PRE_CONSULTATION = "pre_consultation", "事前相談の案内"
    OTHER_DUTIES = "other_duties", "掲載以外の業務の相談の案内"
    DETAILS_ONLINE = "details_online", "総務局ホームページの案内"
    TIMELINE_APPLICATION = "timeline_application", "受入れまでの流れ：応募（お申込み）の説明"
    TIMELINE_START = "timeline_start", "受入れまでの流れ：受入れ開始の説明"
    TIMELINE_TERM = "timeline_term", "受入れまでの流れ：交流受入期間の説明"
    SITE_POLICY = "site_policy", "サイトポリシー（「■」で始まる行が見出し）"


class Audience(models.TextChoices):
    """Who gains from a benefit."""

    COMPANY = "company", "企業様での効果"
    TOKYO = "tokyo", "東京都での効果"


class PageTextQuerySet(PublishableQuerySet):
    def bodies(self, *places):
        """The texts for the given places in the active language, keyed by place."""
        return {text.place: text.body for text in self.filter(place__in=places)}


class PageText(Publishable):
    """A passage of running text with a fixed place on the site (the introduction, a lead)."""

    place = models.CharField(
        "表示場所",
        max_length=40,
        choices=Place,
        unique=True,
        help_text="この文章がサイトのどこに表示されるか。各場所に 1 つだけです。",
    )
    body_ja = models.TextField("本文（日本語）")
    body_en = models.TextField("本文（英語）", blank=True)

    objects = PageTextQuerySet.as_manager()

    body = Bilingual()

    history = History()

    class Meta:
        verbose_name = "ページの文章"
        verbose_name_plural = "ページの文章"
        ordering = ["place"]
        constraints = [
            models.CheckConstraint(
                condition=Q(place__in=Place.values),
                name="pagetext_place_known",
            ),
            models.CheckConstraint(condition=~Q(body_ja=""), name="pagetext_body_ja_required"),
        ]

    def __str__(self):
        return self.get_place_display()


class OverviewPoint(ListedContent):
    """One of the programme's key terms (who is accepted, the duties, the term)."""

    title_ja = models.CharField("要点（日本語）", max_length=200)
    title_en = models.CharField("要点（英語）", max_length=300, blank=True)
    note_ja = models.CharField(
        "補足（日本語）",
        max_length=200,
        blank=True,
        help_text="括弧書きの補足（例: 給与等：派遣元企業様負担）。",
    )
    note_en = models.CharField("補足（英語）", max_length=300, blank=True)

    title = Bilingual()
    note = Bilingual()

    history = History()

    class Meta(ListedContent.Meta):
        verbose_name = "制度の概要"
        verbose_name_plural = "制度の概要"
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_ja=""), name="overviewpoint_title_ja_required"
            )
        ]

    def __str__(self):
        return self.title_ja


class TrainingOpportunity(ListedContent):
    """A training or self-development opportunity open to trainees."""

    title_ja = models.CharField("内容（日本語）", max_length=200)
    title_en = models.CharField("内容（英語）", max_length=300, blank=True)
    is_planned = models.BooleanField(
        "予定",
        default=False,
        help_text="まだ予定の段階のものはチェックします。「予定」と表示されます。",
    )

    title = Bilingual()

    history = History()

    class Meta(ListedContent.Meta):
        verbose_name = "研修機会"
        verbose_name_plural = "研修機会"
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_ja=""), name="trainingopportunity_title_ja_required"
            )
        ]

    def __str__(self):
        return self.title_ja


class Benefit(ListedContent):
    """An expected effect of the exchange, for the sending company or for Tokyo."""

    audience = models.CharField("対象", max_length=20, choices=Audience)
    title_ja = models.CharField("効果（日本語）", max_length=100)
    title_en = models.CharField("効果（英語）", max_length=200, blank=True)

    title = Bilingual()

    history = History()

    class Meta(ListedContent.Meta):
        verbose_name = "人事交流のメリット"
        verbose_name_plural = "人事交流のメリット"
        ordering = ["audience", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["audience", "title_ja"], name="benefit_unique_per_audience"
            ),
            models.CheckConstraint(
                condition=Q(audience__in=Audience.values),
                name="benefit_audience_known",
            ),
            models.CheckConstraint(condition=~Q(title_ja=""), name="benefit_title_ja_required"),
        ]

    def __str__(self):
        return f"{self.get_audience_display()}: {self.title_ja}"


class Testimonial(ListedContent):
    """What a trainee said, attributed only to the industry of the sending company."""

    body_ja = models.TextField("声（日本語）")
    body_en = models.TextField("声（英語）", blank=True)
    industry_ja = models.CharField(
        "派遣元の業種（日本語）",
        max_length=40,
        help_text="個人や会社が特定されない業種名（例: 金融）。",
    )
    industry_en = models.CharField("派遣元の業種（英語）", max_length=80, blank=True)

    body = Bilingual()
    industry = Bilingual()

    history = History()

    class Meta(ListedContent.Meta):
        verbose_name = "研修員の声"
        verbose_name_plural = "研修員の声"
        constraints = [
            models.CheckConstraint(condition=~Q(body_ja=""), name="testimonial_body_ja_required"),
            models.CheckConstraint(
                condition=~Q(industry_ja=""), name="testimonial_industry_ja_required"
            ),
        ]

    def __str__(self):
        return f"（{self.industry_ja}）{self.body_ja[:30]}"


class RestrictionTopic(models.TextChoices):
    """What a placement restriction is about; the pre-consultation form asks about each."""

    LICENSING = "licensing", "処分・許認可・行政指導"
    SUBSIDY = "subsidy", "補助金等の交付"
    CONTRACT = "contract", "契約"


class Restriction(ListedContent):
    """A limit on placement that keeps administration fair."""

    topic = models.CharField(
        "確認項目",
        max_length=20,
        choices=RestrictionTopic,
        blank=True,
        help_text="事前相談フォームの自己確認の質問と結びつける項目。各項目に 1 つだけ設定できます。",
    )
    body_ja = models.TextField("制限の内容（日本語）")
    body_en = models.TextField("制限の内容（英語）", blank=True)

    body = Bilingual()

    history = History()

    class Meta(ListedContent.Meta):
        verbose_name = "受入れ制限"
        verbose_name_plural = "受入れ制限"
        constraints = [
            models.CheckConstraint(condition=~Q(body_ja=""), name="restriction_body_ja_required"),
            models.UniqueConstraint(
                fields=["topic"], condition=~Q(topic=""), name="restriction_topic_unique"
            ),
            models.CheckConstraint(
                condition=Q(topic="") | Q(topic__in=RestrictionTopic.values),
                name="restriction_topic_known",
            ),
        ]

    def __str__(self):
        return self.body_ja


class FaqEntry(ListedContent):
    """A frequently asked question about the programme and its answer."""

    question_ja = models.CharField(
        "質問（日本語）",
        max_length=200,
        help_text="企業のご担当者が尋ねる形で書きます（例: 受入れ期間はどのくらいですか。）。",
    )
    question_en = models.CharField("質問（英語）", max_length=300, blank=True)
    answer_ja = models.TextField(
        "回答（日本語）",
        help_text="チラシや制度の案内と食い違わないように書きます。改行はそのまま表示されます。",
    )
    answer_en = models.TextField("回答（英語）", blank=True)

    question = Bilingual()
    answer = Bilingual()

    history = History()

    class Meta(ListedContent.Meta):
        verbose_name = "よくある質問"
        verbose_name_plural = "よくある質問"
        constraints = [
            models.CheckConstraint(
                condition=~Q(question_ja=""), name="faqentry_question_ja_required"
            ),
            models.CheckConstraint(condition=~Q(answer_ja=""), name="faqentry_answer_ja_required"),
        ]

    def __str__(self):
        return self.question_ja
