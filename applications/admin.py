"""Admin for pre-consultation requests: answers read-only, mail delivery visible."""

from django.contrib import admin, messages
from django.utils import timezone

from applications.models import Inquiry, Notification, NotificationState


class NotificationInline(admin.TabularInline):
    model = Notification
    fields = ["kind", "recipient", "state", "attempts", "next_attempt_at", "sent_at", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ["reference", "company_name", "bureau_names", "received_at", "status"]
    list_filter = ["status", "bureaus", "industry", "received_at"]
    search_fields = ["reference", "company_name", "contact_name", "email"]
    date_hierarchy = "received_at"
    inlines = [NotificationInline]
    fieldsets = [
        (None, {"fields": ["reference", "status", "received_at", "language"]}),
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
        return super().get_queryset(request).prefetch_related("bureaus")

    @admin.display(description="局")
    def bureau_names(self, inquiry):
        return "、".join(bureau.name_ja for bureau in inquiry.bureaus.all())

    def get_readonly_fields(self, request, obj=None):
        # What the applicant sent is a record: nobody edits it.
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "inquiry",
        "kind",
        "recipient",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["state", "kind"]
    list_select_related = ["inquiry"]
    search_fields = ["inquiry__reference", "recipient"]
    readonly_fields = [
        "inquiry", "kind", "recipient", "bureaus", "covers_other_duties", "state", "attempts",
        "next_attempt_at", "lease_expires_at", "last_error", "sent_at", "created_at",
    ]  # fmt: skip
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="選択した通知メールを今すぐ再送信の対象にする")
    def retry_now(self, request, queryset):
        count = queryset.exclude(state=NotificationState.SENT).update(
            state=NotificationState.PENDING, next_attempt_at=timezone.now(), lease_expires_at=None
        )
        self.message_user(request, f"{count} 件を送信待ちにしました。", messages.SUCCESS)
