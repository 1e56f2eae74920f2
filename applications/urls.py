"""URLs of the pre-consultation form, the applicant's status page and the statistics."""

from django.urls import path

from applications import views

app_name = "applications"
urlpatterns = [
    path("consultation/", views.consultation_form, name="form"),
    path("consultation/confirm/", views.consultation_confirm, name="confirm"),
    path("consultation/done/", views.consultation_done, name="done"),
    path("consultation/status/<str:token>/", views.consultation_status, name="status"),
    # Not in the revision-keyed page cache: the counts change with every request
    # received, which bumps no revision.
    path("statistics/", views.statistics, name="statistics"),
]
