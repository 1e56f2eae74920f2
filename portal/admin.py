"""Admin for HR staff: every piece of programme content, Japanese and English side by side,
and the central inquiry window (every page's footer).

Each is public content under the publication workflow (core.admin.PublicationAdmin):
a save keeps a draft, a 承認者 approves it, and the preview shows the draft on the
page that carries it, through the same context functions as the public views.
"""

from django.contrib import admin

from core.admin import OfferedLookupsOnly, PublicationAdmin
from core.models import InquiryWindow
from portal.models import (
    Benefit,
    FaqEntry,
    OverviewPoint,
    PageText,
    Place,
    Restriction,
    Testimonial,
    TrainingOpportunity,
)
from portal.views import (
    faq_context,
    home_context,
    how_to_apply_context,
    site_policy_context,
    timeline_context,
)

HOME = ("portal/home.html", home_context)
HOW_TO_APPLY = ("portal/how_to_apply.html", how_to_apply_context)
TIMELINE = ("portal/timeline.html", timeline_context)

# The page each place's text is shown on (its first, where it is on two).
PAGE_OF_PLACE = {
    Place.INTRODUCTION: HOME,
    Place.BENEFITS_LEAD: HOME,
    Place.RESTRICTIONS_LEAD: HOW_TO_APPLY,
    Place.PRE_CONSULTATION: HOW_TO_APPLY,
    Place.OTHER_DUTIES: HOW_TO_APPLY,
    Place.DETAILS_ONLINE: HOW_TO_APPLY,
    Place.TIMELINE_APPLICATION: TIMELINE,
    Place.TIMELINE_START: TIMELINE,
    Place.TIMELINE_TERM: TIMELINE,
    Place.SITE_POLICY: ("portal/site_policy.html", site_policy_context),
}


class ProgrammeContentAdmin(PublicationAdmin, OfferedLookupsOnly, admin.ModelAdmin):
    """Programme content: drafts, approval and a preview on the page that shows it."""

    preview_page = HOME
    readonly_fields = ["publication_links"]
    list_filter = ["publication_state"]

    def page_of(self, item):
        """(template, context function) of the public page that shows ``item``."""
        return self.preview_page

    def get_preview_template(self, item):
        return self.page_of(item)[0]

    @property
    def preview_template(self):
        return self.preview_page[0]

    def preview_context(self, request, item):
        return self.page_of(item)[1](draft=item)


class ListedContentAdmin(ProgrammeContentAdmin):
    """Ordered content: the order is arranged from the list, outside review."""

    list_editable = ["order"]


@admin.register(PageText)
class PageTextAdmin(ProgrammeContentAdmin):
    list_display = ["place", "body_ja", "publication_status"]
    search_fields = ["body_ja", "body_en"]
    fields = ["publication_links", "place", ("body_ja", "body_en")]

    def page_of(self, item):
        return PAGE_OF_PLACE[item.place]

    def get_readonly_fields(self, request, obj=None):
        # Each place exists once and the site looks it up: keep it fixed once created.
        return [*self.readonly_fields, "place"] if obj else self.readonly_fields


@admin.register(OverviewPoint)
class OverviewPointAdmin(ListedContentAdmin):
    list_display = ["title_ja", "note_ja", "order", "publication_status"]
    search_fields = ["title_ja", "title_en", "note_ja", "note_en"]
    fields = ["publication_links", ("title_ja", "title_en"), ("note_ja", "note_en"), "order"]


@admin.register(TrainingOpportunity)
class TrainingOpportunityAdmin(ListedContentAdmin):
    list_display = ["title_ja", "is_planned", "order", "publication_status"]
    list_filter = ["publication_state", "is_planned"]
    search_fields = ["title_ja", "title_en"]
    fields = ["publication_links", ("title_ja", "title_en"), "is_planned", "order"]


@admin.register(Benefit)
class BenefitAdmin(ListedContentAdmin):
    list_display = ["title_ja", "audience", "order", "publication_status"]
    list_filter = ["audience", "publication_state"]
    search_fields = ["title_ja", "title_en"]
    fields = ["publication_links", "audience", ("title_ja", "title_en"), "order"]


@admin.register(Testimonial)
class TestimonialAdmin(ListedContentAdmin):
    list_display = ["body_ja", "industry_ja", "order", "publication_status"]
    list_filter = ["publication_state", "industry_ja"]
    search_fields = ["body_ja", "body_en", "industry_ja", "industry_en"]
    fields = ["publication_links", ("body_ja", "body_en"), ("industry_ja", "industry_en"), "order"]


@admin.register(Restriction)
class RestrictionAdmin(ListedContentAdmin):
    list_display = ["body_ja", "order", "publication_status"]
    search_fields = ["body_ja", "body_en"]
    fields = ["publication_links", ("body_ja", "body_en"), "topic", "order"]
    preview_page = HOW_TO_APPLY


@admin.register(FaqEntry)
class FaqEntryAdmin(ListedContentAdmin):
    list_display = ["question_ja", "question_en", "order", "publication_status"]
    search_fields = ["question_ja", "question_en", "answer_ja", "answer_en"]
    fields = [
        "publication_links",
        ("question_ja", "question_en"),
        ("answer_ja", "answer_en"),
        "order",
    ]
    preview_page = ("portal/faq.html", faq_context)


@admin.register(InquiryWindow)
class InquiryWindowAdmin(ProgrammeContentAdmin):
    """The central window, shown in every page's footer (previewed on the home page)."""

    list_display = ["name_ja", "phone", "contact_email", "website", "publication_status"]
    list_filter = []
    fields = [
        "publication_links",
        ("name_ja", "name_en"),
        "phone",
        "contact_email",
        ("website", "website_in_english"),
    ]
    # The footer, the confirm page and every routed mail name the window: it is
    # changed through review, never taken off the site.
    may_withdraw = False

    def preview_context(self, request, item):
        return {**home_context(), "inquiry_window": item}

    def has_add_permission(self, request):
        # There is one central window; the database refuses a second row.
        return not InquiryWindow.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
