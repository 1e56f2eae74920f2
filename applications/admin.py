"""Admin for pre-consultation requests: answers read-only, mail delivery visible."""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from applications.case import case_view
from applications.exports import export_inquiries_csv
from applications.grouping import company_key, group_by_company
from applications.models import (
    Inquiry,
    InquiryAccess,
    InquiryRoute,
    Notification,
    NotificationState,
)
from applications.outbox import cancel_notification
from core.admin import OfferedLookupsOnly
from staffauth.roles import sees_every_request, staff_name


def company_groups(request):
    """{company key: [pk, ...]} over every request not yet anonymised, once per request.

    Worked out in Python because the key folds legal forms and widths that SQL
    cannot; HR's whole list is a few thousand rows at most.
    """
    if not hasattr(request, "_company_groups"):
        rows = (
            Inquiry.objects.filter(anonymised_at__isnull=True)
            .order_by("received_at", "pk")
            .values_list("pk", "company_name", "email")
        )
        request._company_groups = group_by_company(rows)
    return request._company_groups


class SameCompanyFilter(admin.SimpleListFilter):
    """HR only: the requests of one company (normalised name and mail domain), all bureaus."""

    title = "同じ企業の申込み"
    parameter_name = "company"

    def lookups(self, request, model_admin):
        names = dict(
            Inquiry.objects.filter(anonymised_at__isnull=True).values_list("pk", "company_name")
        )
        return [
            (key, f"{names[pks[0]]}（{key.rpartition('|')[2]}、{len(pks)} 件）")
            for key, pks in sorted(company_groups(request).items())
            if len(pks) > 1
        ]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(pk__in=company_groups(request).get(self.value(), []))


@admin.register(Inquiry)
class InquiryAdmin(OfferedLookupsOnly, admin.ModelAdmin):
    """The requests; a request's own page is the case screen (applications.case)."""

    list_display = ["reference", "company_name", "bureau_names", "route_states", "received_at"]
    list_filter = ["bureaus", "industry", "received_at"]
    search_fields = ["reference", "company_name", "contact_name", "email"]
    date_hierarchy = "received_at"
    actions = ["revoke_status_link", "export_csv"]
    # The answers as the case screen shows them, read-only.
    fieldsets = [
        (None, {"fields": ["reference", "received_at", "language"]}),
        ("企業・団体", {"fields": ["company_name", "industry", "industry_other", "main_business"]}),
        (
            "ご担当者",
            {
                "fields": [
                    "contact_name",
                    "contact_name_kana",
                    "department",
                    "job_title",
                    "email",
                    "phone",
                ]
            },
        ),
        (
            "希望",
            {
                "fields": [
                    "bureaus",
                    "duties",
                    "other_duties",
                    "desired_start",
                    "desired_months",
                    "message",
                ]
            },
        ),
        (
            "受入れ制限の自己確認",
            {
                "fields": [
                    "licensing_relation",
                    "subsidy_relation",
                    "contract_relation",
                    "purpose_acknowledged_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        # Bureau staff reach only requests routed to their bureaus: every admin view
        # (list, case screen, history, delete, actions, search) starts from this queryset.
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .prefetch_related(
                "bureaus",
                Prefetch(
                    "routes",
                    queryset=InquiryRoute.objects.visible_to(request.user)
                    .select_related("bureau")
                    .order_by("is_central", "bureau__order", "pk"),
                    to_attr="visible_routes",
                ),
            )
        )

    def get_list_filter(self, request):
        if sees_every_request(request.user):
            return [*self.list_filter, SameCompanyFilter]
        # The bureau filter would list every bureau's name and count.
        return [name for name in self.list_filter if name != "bureaus"]

    def get_list_display(self, request):
        if not sees_every_request(request.user):
            # Another bureau's talks with the same company are not theirs to learn of.
            return self.list_display

        @admin.display(description="同じ企業の申込み")
        def same_company(inquiry):
            if inquiry.anonymised_at:
                return "—"
            key = company_key(inquiry.company_name, inquiry.email)
            others = len(company_groups(request).get(key, [])) - 1
            if others < 1:
                return "—"
            query = urlencode({SameCompanyFilter.parameter_name: key})
            return format_html('<a href="?{}">ほかに {} 件</a>', query, others)

        return [*self.list_display, same_company]

    def has_export_permission(self, request):
        return request.user.has_perm("applications.export_inquiry")

    @admin.action(description="CSVで書き出す", permissions=["export"])
    def export_csv(self, request, queryset):
        # The queryset is get_queryset's: bureau staff export only their bureaus' requests.
        content = export_inquiries_csv(inquiries=queryset, user=request.user)
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        filename = f"inquiries-{timezone.localtime():%Y%m%d-%H%M}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The case screen: the request, its routes and their actions on one page. What
        # the applicant sent is a record: nobody edits it.
        return case_view(self, request, object_id)

    @admin.display(description="局")
    def bureau_names(self, inquiry):
        return "、".join(bureau.name_ja for bureau in inquiry.bureaus.all()) or "（指定なし）"

    @admin.display(description="対応状況")
    def route_states(self, inquiry):
        # The routes the viewer may see only (get_queryset): never another bureau's.
        return "、".join(
            f"{route.handler_name_ja}：{route.get_status_display()}"
            for route in inquiry.visible_routes
        )

    def has_add_permission(self, request):
        return False

    def has_revoke_status_link_permission(self, request):
        return sees_every_request(request.user)

    @admin.action(description="状況確認リンクを無効にする", permissions=["revoke_status_link"])
    def revoke_status_link(self, request, queryset):
        # One save per request, not update(): the history records who revoked it.
        count = 0
        for inquiry in queryset.exclude(status_token=None):
            inquiry.status_token = None
            inquiry.save(update_fields=["status_token"])
            count += 1
        self.message_user(
            request, f"{count} 件の状況確認リンクを無効にしました。", messages.SUCCESS
        )


@admin.register(Notification)
class NotificationAdmin(OfferedLookupsOnly, admin.ModelAdmin):
    # State and time of sending first after the subject, which wraps (backoffice/admin.css):
    # they are what HR looks for, and stay on a 1280 px screen.
    list_display = [
        "subject",
        "state",
        "sent_at",
        "kind",
        "recipient",
        "attempts",
        "next_attempt_at",
    ]
    list_filter = ["state", "kind"]
    list_select_related = ["inquiry"]
    search_fields = ["inquiry__reference", "recipient", "subject"]
    readonly_fields = [
        "inquiry", "kind", "recipient", "subject", "body", "bureaus", "covers_other_duties",
        "alert_for", "state", "attempts", "next_attempt_at", "lease_expires_at", "last_error",
        "sent_at", "created_at",
    ]  # fmt: skip
    exclude = ["routes"]
    actions = ["retry_now", "cancel"]

    class Media:
        css = {"all": ["backoffice/admin.css"]}

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="選択した通知メールを今すぐ再送信の対象にする")
    def retry_now(self, request, queryset):
        # A fresh count of attempts: the mail gets OUTBOX_MAX_ATTEMPTS more.
        count = queryset.exclude(state=NotificationState.SENT).update(
            state=NotificationState.PENDING,
            next_attempt_at=timezone.now(),
            lease_expires_at=None,
            attempts=0,
        )
        self.message_user(request, f"{count} 件を送信待ちにしました。", messages.SUCCESS)

    @admin.action(description="選択した通知メールの送信を取り消す（送信待ち・送信失敗のもの）")
    def cancel(self, request, queryset):
        count = sum(
            cancel_notification(notification=notification, user=request.user)
            for notification in queryset
        )
        self.message_user(request, f"{count} 件の送信を取り消しました。", messages.SUCCESS)


@admin.register(InquiryRoute)
class InquiryRouteAdmin(OfferedLookupsOnly, admin.ModelAdmin):
    """Each route as a work list (status, assignee, reply-by); a route opens on its
    request's case screen, where it is handled."""

    list_display = [
        "inquiry",
        "company",
        "handler",
        "status",
        "assignee_name",
        "reply_by",
        "updated_at",
    ]
    list_filter = ["status"]
    list_select_related = ["inquiry", "bureau", "assignee"]
    search_fields = ["inquiry__reference", "inquiry__company_name"]
    fields = ["inquiry", "bureau", "status", "assignee", "reply_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description="企業・団体名")
    def company(self, route):
        return route.inquiry.company_name

    @admin.display(description="局", ordering="bureau__order")
    def handler(self, route):
        return route.handler_name_ja

    @admin.display(description="担当者", ordering="assignee__last_name")
    def assignee_name(self, route):
        return staff_name(route.assignee) if route.assignee else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # One place to handle a route: its request's case screen, at the route.
        route = self.get_object(request, unquote(object_id))
        if not self.has_view_or_change_permission(request, route):
            raise PermissionDenied
        if route is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        case = reverse("admin:applications_inquiry_change", args=[route.inquiry_id])
        return redirect(f"{case}#route-{route.pk}")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InquiryAccess)
class InquiryAccessAdmin(OfferedLookupsOnly, admin.ModelAdmin):
    list_display = ["at", "user", "action", "inquiry", "notification"]
    list_filter = ["action", "at"]
    list_select_related = ["user", "inquiry", "notification"]
    search_fields = ["inquiry__reference", "user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
