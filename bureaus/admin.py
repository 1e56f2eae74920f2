"""Admin for HR staff: bureaus, their example duties and the themes that group them."""

from django.contrib import admin

from bureaus.models import Bureau, Duty, Theme


class DutyInline(admin.TabularInline):
    model = Duty
    fields = ["order", "title_ja", "slug", "is_published"]
    extra = 0
    show_change_link = True
    ordering = ["order"]


@admin.register(Bureau)
class BureauAdmin(admin.ModelAdmin):
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


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    list_display = ["title_ja", "bureau", "order", "is_published"]
    list_editable = ["order", "is_published"]
    list_filter = ["is_published", "bureau", "themes"]
    list_select_related = ["bureau"]
    search_fields = ["title_ja", "title_en", "description_ja", "description_en", "bureau__name_ja"]
    autocomplete_fields = ["bureau"]
    filter_horizontal = ["themes"]
    prepopulated_fields = {"slug": ["title_en"]}
    fieldsets = [
        (None, {"fields": ["bureau", "slug"]}),
        ("業務内容", {"fields": [("title_ja", "title_en"), ("description_ja", "description_en")]}),
        ("分類と掲載", {"fields": ["themes", "order", "is_published"]}),
    ]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name_ja", "name_en", "slug", "order", "is_published"]
    list_editable = ["order", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["name_ja", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    fields = [("name_ja", "name_en"), "slug", "order", "is_published"]
