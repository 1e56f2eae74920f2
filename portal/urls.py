"""URLs of the programme pages."""

from django.urls import path
from django.views.generic import TemplateView

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("how-to-apply/", views.HowToApplyView.as_view(), name="how-to-apply"),
    path("privacy/", TemplateView.as_view(template_name="portal/privacy.html"), name="privacy"),
]
