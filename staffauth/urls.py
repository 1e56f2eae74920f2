"""Second-factor pages, mounted under /admin/otp/ before admin's own URLs."""

from django.urls import path

from staffauth import views

app_name = "staffauth"
urlpatterns = [
    path("enrol/", views.enrol, name="enrol"),
    path("verify/", views.verify, name="verify"),
]
