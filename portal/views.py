"""Views of the programme pages: home and how to apply."""

from django.views.generic import TemplateView

from portal.models import (
    Audience,
    Benefit,
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
