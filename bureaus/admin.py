"""Admin for HR staff: bureaus, their example duties and the themes that group them."""

from django.contrib import admin, messages
from django.utils import timezone

from bureaus.models import Bureau, BureauStaff, Duty, Theme
from core.admin import OfferedLookupsOnly
from staffauth.roles import edits_every_listing


class DutyInline(admin.TabularInline):
    model = Duty
    fields = ["order", "title_ja", "slug", "is_published"]
    extra = 0
    show_change_link = True
    ordering = ["order"]


@admin.register(Bureau)
class BureauAdmin(OfferedLookupsOnly, admin.ModelAdmin):
    list_display = [
        "name_ja",
        "name_en",
        "contact_section_ja",
        "phone",
        "contact_email",
        "order",
        "is_published",
    ]
    list_editable = ["order", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["name_ja", "name_en", "contact_section_ja", "phone", "contact_email"]
    prepopulated_fields = {"slug": ["name_en"]}
    fieldsets = [
        ("局名", {"fields": [("name_ja", "name_en"), "slug"]}),
        (
            "お問合せ先",
            {"fields": [("contact_section_ja", "contact_section_en"), "phone", "contact_email"]},
        ),
        ("掲載", {"fields": ["order", "is_published"]}),
    ]
    inlines = [DutyInline]


class ReviewDueFilter(admin.SimpleListFilter):
    """Duties whose bureau should confirm them again (settings.REVIEW_INTERVAL_MONTHS)."""

    title = "確認期限切れ"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", "確認期限切れ"), ("current", "期限内")]

    def queryset(self, request, queryset):
        due = Duty.objects.due_for_review(timezone.localdate())
        if self.value() == "due":
            return queryset.filter(pk__in=due.values("pk"))
        if self.value() == "current":
            return queryset.exclude(pk__in=due.values("pk"))
        return queryset


@admin.register(Duty)
class DutyAdmin(OfferedLookupsOnly, admin.ModelAdmin):
    list_display = ["title_ja", "bureau", "order", "is_published", "confirmed_at", "needs_review"]
    list_editable = ["order", "is_published"]
    list_filter = ["is_published", ReviewDueFilter, "bureau", "themes"]
    actions = ["mark_confirmed_today"]
    # The confirmation date changes only through the action, so it always records
    # a deliberate confirmation, never a side effect of saving an edit.
    readonly_fields = ["confirmed_at", "created_at", "updated_at"]
    list_select_related = ["bureau"]
    search_fields = ["title_ja", "title_en", "description_ja", "description_en", "bureau__name_ja"]
    autocomplete_fields = ["bureau"]
    filter_horizontal = ["themes"]
    prepopulated_fields = {"slug": ["title_en"]}
    fieldsets = [
        (None, {"fields": ["bureau", "slug"]}),
        ("業務内容", {"fields": [("title_ja", "title_en"), ("description_ja", "description_en")]}),
        ("分類と掲載", {"fields": ["themes", "order", "is_published"]}),
        ("確認と履歴", {"fields": ["confirmed_at", ("created_at", "updated_at")]}),
    ]

    @admin.display(boolean=True, description="要確認")
    def needs_review(self, duty):
        return duty.is_due_for_review(timezone.localdate())

    @admin.action(description="本日確認済みにする", permissions=["change"])
    def mark_confirmed_today(self, request, queryset):
        count = queryset.confirm(timezone.localdate())
        self.message_user(
            request, f"{count} 件の業務内容例を本日確認済みにしました。", messages.SUCCESS
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if edits_every_listing(request.user):
            return queryset
        # Bureau staff edit their own bureaus' duties only.
        return queryset.filter(bureau__staff__user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "bureau" and not edits_every_listing(request.user):
            kwargs["queryset"] = Bureau.objects.filter(staff__user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Theme)
class ThemeAdmin(OfferedLookupsOnly, admin.ModelAdmin):
    list_display = ["name_ja", "name_en", "slug", "order", "is_published"]
    list_editable = ["order", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["name_ja", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    fields = [("name_ja", "name_en"), "slug", "order", "is_published"]


@admin.register(BureauStaff)
class BureauStaffAdmin(OfferedLookupsOnly, admin.ModelAdmin):
    list_display = ["bureau", "user"]
    list_filter = ["bureau"]
    list_select_related = ["bureau", "user"]
    search_fields = ["user__username", "user__email", "bureau__name_ja"]
    autocomplete_fields = ["user"]
