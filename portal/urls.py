"""URLs of the programme pages."""

from django.urls import path
from django.views.generic import TemplateView

from core.pages import public_page
from portal import views

app_name = "portal"
urlpatterns = [
    path("", public_page(views.HomeView.as_view()), name="home"),
    path("how-to-apply/", public_page(views.HowToApplyView.as_view()), name="how-to-apply"),
    path(
        "privacy/",
        public_page(TemplateView.as_view(template_name="portal/privacy.html")),
        name="privacy",
    ),
    path("timeline/", public_page(views.TimelineView.as_view()), name="timeline"),
    path("faq/", public_page(views.FaqView.as_view()), name="faq"),
    path("site-policy/", public_page(views.SitePolicyView.as_view()), name="site-policy"),
    # Not in the revision-keyed page cache: the results change with every recorded
    # run, which bumps no revision.
    path("accessibility/", views.accessibility, name="accessibility"),
]
