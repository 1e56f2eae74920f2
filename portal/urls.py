"""URLs of the programme pages."""

from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("how-to-apply/", views.HowToApplyView.as_view(), name="how-to-apply"),
]
