"""Views of the programme pages: home, how to apply, timeline, FAQ, site policy, accessibility."""

from django.shortcuts import render
from django.views.generic import TemplateView

from core.pages import briefly_cached
from portal.accessibility import latest_results
from portal.models import (
    Audience,
    Benefit,
    FaqEntry,
    OverviewPoint,
    PageText,
    Place,
    Restriction,
    Testimonial,
    TrainingOpportunity,
)


def in_preview(items, draft):
    """The ``items`` (a queryset of live content) with ``draft`` in its place, or added
    in its order if it is not live: what the list will show once the draft is
    approved. Only the admin preview passes a draft; one of another kind is ignored."""
    if not isinstance(draft, items.model):
        return list(items)
    items = list(items)
    ordering = type(draft)._meta.ordering
    kept = [item for item in items if item.pk != draft.pk]
    return sorted([*kept, draft], key=lambda item: [getattr(item, name) for name in ordering])


def texts_for(places, draft=None):
    """The page texts of ``places`` in the active language, a draft's over the live one."""
    texts = PageText.objects.live().bodies(*places)
    if isinstance(draft, PageText) and draft.place in places:
        texts[draft.place] = draft.body
    return texts


def home_context(draft=None):
    """What the home page shows; ``draft`` (admin preview) stands in for its live item."""
    benefits = in_preview(Benefit.objects.live(), draft)
    return {
        "texts": texts_for([Place.INTRODUCTION, Place.BENEFITS_LEAD], draft),
        "overview_points": in_preview(OverviewPoint.objects.live(), draft),
        "training_opportunities": in_preview(TrainingOpportunity.objects.live(), draft),
        "company_benefits": [b for b in benefits if b.audience == Audience.COMPANY],
        "tokyo_benefits": [b for b in benefits if b.audience == Audience.TOKYO],
        "testimonials": in_preview(Testimonial.objects.live(), draft),
    }


def how_to_apply_context(draft=None):
    places = [
        Place.RESTRICTIONS_LEAD,
        Place.PRE_CONSULTATION,
        Place.OTHER_DUTIES,
        Place.DETAILS_ONLINE,
    ]
    return {
        "texts": texts_for(places, draft),
        "restrictions": in_preview(Restriction.objects.live(), draft),
    }


def timeline_context(draft=None):
    places = [
        Place.PRE_CONSULTATION,
        Place.TIMELINE_APPLICATION,
        Place.TIMELINE_START,
        Place.TIMELINE_TERM,
    ]
    return {"texts": texts_for(places, draft)}


def site_policy_context(draft=None):
    text = texts_for([Place.SITE_POLICY], draft).get(Place.SITE_POLICY, "")
    return {"sections": headed_sections(text)}


def faq_context(draft=None):
    entries = in_preview(FaqEntry.objects.live(), draft)
    return {"entries": entries}


class ProgrammePageView(TemplateView):
    """A programme page whose context comes from one of the functions above, which
    the admin preview (portal.admin) calls with a draft."""

    page_context = None

    def get_context_data(self, **kwargs):
        return super().get_context_data(**type(self).page_context(), **kwargs)


class HomeView(ProgrammePageView):
    template_name = "portal/home.html"
    page_context = home_context


class HowToApplyView(ProgrammePageView):
    template_name = "portal/how_to_apply.html"
    page_context = how_to_apply_context


class TimelineView(ProgrammePageView):
    template_name = "portal/timeline.html"
    page_context = timeline_context


def headed_sections(text):
    """[(heading, [paragraph, ...]), ...] from a text whose lines starting with ■ are headings.

    Text before the first heading forms a section with no heading; blank lines only
    separate paragraphs. HR writes the site policy this way in admin.
    """
    sections = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("■"):
            sections.append((line.removeprefix("■").strip(), []))
        elif line:
            if not sections:
                sections.append(("", []))
            sections[-1][1].append(line)
    return sections


class SitePolicyView(ProgrammePageView):
    template_name = "portal/site_policy.html"
    page_context = site_policy_context


class FaqView(ProgrammePageView):
    template_name = "portal/faq.html"
    page_context = faq_context


def accessibility(request):
    """The accessibility policy, with the latest automated results the test run recorded."""
    return briefly_cached(
        render(request, "portal/accessibility.html", {"results": latest_results()})
    )
