"""URLs of the programme pages."""

from django.urls import path
from django.views.generic import TemplateView

from portal import views
from portal.caching import public_page

app_name = "portal"
urlpatterns = [
    path("", public_page(views.HomeView.as_view()), name="home"),
    path("how-to-apply/", public_page(views.HowToApplyView.as_view()), name="how-to-apply"),
    path(
        "privacy/",
        public_page(TemplateView.as_view(template_name="portal/privacy.html")),
        name="privacy",
    ),
]
