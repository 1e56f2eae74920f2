"""Views of the programme pages: home, how to apply, timeline, FAQ, accessibility."""

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
