"""URLs of the pre-consultation form."""

from django.urls import path

from applications import views

app_name = "applications"
urlpatterns = [
    path("", views.consultation_form, name="form"),
    path("confirm/", views.consultation_confirm, name="confirm"),
    path("done/", views.consultation_done, name="done"),
    path("status/<str:token>/", views.consultation_status, name="status"),
]
