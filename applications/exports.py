"""The requests as a CSV for HR: one row per request and bureau, readable in Excel.

The rows are built from instances already read (routes with their request,
bureau and assignee); the encoding rules (BOM, CRLF, quoting, formula-safe
cells) are the open-data files' own, in bureaus.opendata.to_csv.
"""

from django.db import transaction
from django.utils import timezone

from applications.models import AccessAction, InquiryRoute
from applications.privacy import record_access
from bureaus.opendata import to_csv
from staffauth.roles import staff_name

COLUMNS = [
    "受付番号",
    "受付日時",
    "局",
    "局ごとの状況",
    "担当者",
    "回答期限",
    "終了日時",
    "企業・団体名",
    "業種",
    "業種（その他）",
    "主な事業内容",
    "担当者氏名",
    "担当者氏名（ふりがな）",
    "部署",
    "役職",
    "メールアドレス",
    "電話番号",
    "希望する業務",
    "その他の希望業務",
    "希望開始月",
    "希望期間（月）",
    "ご相談内容",
    "使用言語",
    "匿名化日時",
]


def _moment(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def inquiry_row(inquiry, route=None):
    """One CSV row: the request, and its handling at ``route``'s bureau (blank if none)."""
    return {
        "受付番号": inquiry.reference,
        "受付日時": _moment(inquiry.received_at),
        "局": route.handler_name_ja if route else "",
        "局ごとの状況": route.get_status_display() if route else "",
        "担当者": (staff_name(route.assignee) if route and route.assignee else ""),
        "回答期限": route.reply_by.isoformat() if route and route.reply_by else "",
        "終了日時": _moment(route.closed_at) if route else "",
        "企業・団体名": inquiry.company_name,
        "業種": inquiry.get_industry_display(),
        "業種（その他）": inquiry.industry_other,
        "主な事業内容": inquiry.main_business,
        "担当者氏名": inquiry.contact_name,
        "担当者氏名（ふりがな）": inquiry.contact_name_kana,
        "部署": inquiry.department,
        "役職": inquiry.job_title,
        "メールアドレス": inquiry.email,
        "電話番号": inquiry.phone,
        "希望する業務": "、".join(
            f"{duty.bureau.name_ja}：{duty.title_ja}" for duty in inquiry.duties.all()
        ),
        "その他の希望業務": inquiry.other_duties,
        "希望開始月": inquiry.desired_start.strftime("%Y-%m"),
        "希望期間（月）": inquiry.desired_months,
        "ご相談内容": inquiry.message,
        "使用言語": inquiry.get_language_display(),
        "匿名化日時": _moment(inquiry.anonymised_at),
    }


def inquiry_rows(inquiries, routes_by_inquiry):
    """Rows for each request: one per route given for it, or one without a bureau.

    ``routes_by_inquiry`` holds only the routes the exporting user may see, so a
    bureau's staff never learn how another bureau is handling the same request.
    """
    for inquiry in inquiries:
        routes = routes_by_inquiry.get(inquiry.pk) or [None]
        for route in routes:
            yield inquiry_row(inquiry, route)


def inquiries_csv(inquiries, routes_by_inquiry):
    """The export file's bytes: UTF-8 with a BOM, CRLF, every cell quoted."""
    return to_csv(inquiry_rows(inquiries, routes_by_inquiry), COLUMNS)


@transaction.atomic
def export_inquiries_csv(*, inquiries, user):
    """The CSV of ``inquiries`` (already scoped to ``user``), one row per bureau route
    ``user`` may see; every request exported is recorded against ``user``."""
    chosen = list(inquiries.order_by("received_at", "pk").prefetch_related("duties__bureau"))
    routes = {}
    for route in (
        InquiryRoute.objects.visible_to(user)
        .filter(inquiry__in=[inquiry.pk for inquiry in chosen])
        .select_related("bureau", "assignee")
        .order_by("bureau__order", "bureau__slug")
    ):
        routes.setdefault(route.inquiry_id, []).append(route)
    for inquiry in chosen:
        record_access(inquiry_id=inquiry.pk, user=user, action=AccessAction.EXPORT)
    return inquiries_csv(chosen, routes)
