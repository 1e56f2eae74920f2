"""URLs of the bureau and duty catalogue."""

from django.urls import path

from bureaus import views
from core.pages import public_page

app_name = "bureaus"
urlpatterns = [
    # Keyword searches are never stored: their values are whatever visitors type.
    path("", public_page(views.catalogue, cache_params=("bureau", "theme")), name="list"),
    path("<slug:slug>/", public_page(views.BureauDetailView.as_view()), name="detail"),
    path(
        "<slug:bureau_slug>/<slug:slug>/",
        public_page(views.DutyDetailView.as_view()),
        name="duty",
    ),
]
