"""Views of the programme pages: home, how to apply, timeline, FAQ, site policy, accessibility."""

from django.shortcuts import render
from django.views.generic import ListView, TemplateView

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


class HomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        benefits = list(Benefit.objects.published())
        return super().get_context_data(
            texts=PageText.objects.bodies(Place.INTRODUCTION, Place.BENEFITS_LEAD),
            overview_points=OverviewPoint.objects.published(),
            training_opportunities=TrainingOpportunity.objects.published(),
            company_benefits=[b for b in benefits if b.audience == Audience.COMPANY],
            tokyo_benefits=[b for b in benefits if b.audience == Audience.TOKYO],
            testimonials=Testimonial.objects.published(),
            **kwargs,
        )


class HowToApplyView(TemplateView):
    template_name = "portal/how_to_apply.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            texts=PageText.objects.bodies(
                Place.RESTRICTIONS_LEAD,
                Place.PRE_CONSULTATION,
                Place.OTHER_DUTIES,
                Place.DETAILS_ONLINE,
            ),
            restrictions=Restriction.objects.published(),
            **kwargs,
        )


class TimelineView(TemplateView):
    template_name = "portal/timeline.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            texts=PageText.objects.bodies(
                Place.PRE_CONSULTATION,
                Place.TIMELINE_APPLICATION,
                Place.TIMELINE_START,
                Place.TIMELINE_TERM,
            ),
            **kwargs,
        )


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


class SitePolicyView(TemplateView):
    template_name = "portal/site_policy.html"

    def get_context_data(self, **kwargs):
        text = PageText.objects.bodies(Place.SITE_POLICY).get(Place.SITE_POLICY, "")
        return super().get_context_data(sections=headed_sections(text), **kwargs)


class FaqView(ListView):
    template_name = "portal/faq.html"
    context_object_name = "entries"

    def get_queryset(self):
        return FaqEntry.objects.published()


def accessibility(request):
    """The accessibility policy, with the latest automated results the test run recorded."""
    return briefly_cached(
        render(request, "portal/accessibility.html", {"results": latest_results()})
    )
