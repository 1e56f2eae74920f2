"""URLs of the bureau and duty catalogue."""

from django.urls import path

from bureaus import views

app_name = "bureaus"
urlpatterns = [
    path("", views.catalogue, name="list"),
    path("<slug:slug>/", views.BureauDetailView.as_view(), name="detail"),
    path("<slug:bureau_slug>/<slug:slug>/", views.DutyDetailView.as_view(), name="duty"),
]
