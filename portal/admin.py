"""Admin for HR staff: every piece of programme content, Japanese and English side by side."""

from django.contrib import admin

from core.admin import OfferedLookupsOnly
from portal.models import (
    Benefit,
    FaqEntry,
    OverviewPoint,
    PageText,
    Restriction,
    Testimonial,
    TrainingOpportunity,
)


class ListedContentAdmin(OfferedLookupsOnly, admin.ModelAdmin):
    """Ordered, publishable content: order and publication editable from the list."""

    list_editable = ["order", "is_published"]
    list_filter = ["is_published"]


@admin.register(PageText)
class PageTextAdmin(OfferedLookupsOnly, admin.ModelAdmin):
    list_display = ["place", "body_ja"]
    search_fields = ["body_ja", "body_en"]
    fields = ["place", ("body_ja", "body_en")]

    def get_readonly_fields(self, request, obj=None):
        # Each place exists once and the site looks it up: keep it fixed once created.
        return ["place"] if obj else []


@admin.register(OverviewPoint)
class OverviewPointAdmin(ListedContentAdmin):
    list_display = ["title_ja", "note_ja", "order", "is_published"]
    search_fields = ["title_ja", "title_en", "note_ja", "note_en"]
    fields = [("title_ja", "title_en"), ("note_ja", "note_en"), "order", "is_published"]


@admin.register(TrainingOpportunity)
class TrainingOpportunityAdmin(ListedContentAdmin):
    list_display = ["title_ja", "is_planned", "order", "is_published"]
    list_filter = ["is_published", "is_planned"]
    search_fields = ["title_ja", "title_en"]
    fields = [("title_ja", "title_en"), "is_planned", "order", "is_published"]


@admin.register(Benefit)
class BenefitAdmin(ListedContentAdmin):
    list_display = ["title_ja", "audience", "order", "is_published"]
    list_filter = ["audience", "is_published"]
    search_fields = ["title_ja", "title_en"]
    fields = ["audience", ("title_ja", "title_en"), "order", "is_published"]


@admin.register(Testimonial)
class TestimonialAdmin(ListedContentAdmin):
    list_display = ["body_ja", "industry_ja", "order", "is_published"]
    list_filter = ["is_published", "industry_ja"]
    search_fields = ["body_ja", "body_en", "industry_ja", "industry_en"]
    fields = [("body_ja", "body_en"), ("industry_ja", "industry_en"), "order", "is_published"]


@admin.register(Restriction)
class RestrictionAdmin(ListedContentAdmin):
    list_display = ["body_ja", "order", "is_published"]
    search_fields = ["body_ja", "body_en"]
    fields = [("body_ja", "body_en"), "topic", "order", "is_published"]


@admin.register(FaqEntry)
class FaqEntryAdmin(ListedContentAdmin):
    list_display = ["question_ja", "question_en", "order", "is_published"]
    search_fields = ["question_ja", "question_en", "answer_ja", "answer_en"]
    fields = [("question_ja", "question_en"), ("answer_ja", "answer_en"), "order", "is_published"]
