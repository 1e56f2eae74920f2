"""Admin for pre-consultation requests: answers read-only, mail delivery visible."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from applications.access import HR_GROUP, sees_every_bureau
from applications.models import (
    AccessAction,
    Inquiry,
    InquiryAccess,
    InquiryRoute,
    InternalNote,
    Notification,
    NotificationState,
)
from applications.services import record_access
from applications.workflow import RouteStatus, allowed_transitions


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
        # Bureau staff reach only requests routed to their bureaus: every admin view
        # (list, change, history, delete, actions, search) starts from this queryset.
        return super().get_queryset(request).visible_to(request.user).prefetch_related("bureaus")

    def get_list_filter(self, request):
        if sees_every_bureau(request.user):
            return self.list_filter
        # The bureau filter would list every bureau's name and count.
        return [name for name in self.list_filter if name != "bureaus"]

    def get_inlines(self, request, obj):
        # Mail recipients and delivery errors are HR's business.
        return self.inlines if sees_every_bureau(request.user) else []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            record_access(inquiry_id=object_id, user=request.user, action=AccessAction.VIEW)
        return response

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


class InternalNoteInline(admin.StackedInline):
    model = InternalNote
    fields = ["body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    extra = 1
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False  # A note is a record: add another rather than rewrite one.


class RouteForm(forms.ModelForm):
    class Meta:
        model = InquiryRoute
        fields = ["status", "assignee", "reply_by"]

    def clean_status(self):
        status = self.cleaned_data["status"]
        current = self.instance.status
        if status != current and status not in allowed_transitions(current):
            raise forms.ValidationError(
                f"「{self.instance.get_status_display()}」から「{RouteStatus(status).label}」には変更できません。"
            )
        return status


@admin.register(InquiryRoute)
class InquiryRouteAdmin(admin.ModelAdmin):
    form = RouteForm
    list_display = ["inquiry", "company", "bureau", "status", "assignee", "reply_by", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["inquiry", "bureau", "assignee"]
    search_fields = ["inquiry__reference", "inquiry__company_name"]
    readonly_fields = ["inquiry", "bureau"]
    fields = ["inquiry", "bureau", "status", "assignee", "reply_by"]
    inlines = [InternalNoteInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description="企業・団体名")
    def company(self, route):
        return route.inquiry.company_name

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            allowed = {obj.status, *allowed_transitions(obj.status)}
            form.base_fields["status"].choices = [
                choice for choice in RouteStatus.choices if choice[0] in allowed
            ]
            # Only this bureau's staff (or HR) can take the request on.
            form.base_fields["assignee"].queryset = (
                get_user_model()
                .objects.filter(Q(bureau_memberships__bureau=obj.bureau) | Q(groups__name=HR_GROUP))
                .distinct()
            )
        return form

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data and obj.is_closed:
            obj.closed_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        notes = formset.save(commit=False)
        for note in notes:
            note.author = request.user
            note.save()
        formset.save_m2m()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InquiryAccess)
class InquiryAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "inquiry"]
    list_filter = ["action", "at"]
    list_select_related = ["user", "inquiry"]
    search_fields = ["inquiry__reference", "user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
