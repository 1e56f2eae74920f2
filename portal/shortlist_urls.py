"""URLs of the shortlist: the list, its print view, and the add and remove actions."""

from django.urls import path

from portal import shortlist_views

app_name = "shortlist"
urlpatterns = [
    path("", shortlist_views.shortlist, name="list"),
    path("print/", shortlist_views.shortlist_print, name="print"),
    path("add/", shortlist_views.add, name="add"),
    path("remove/", shortlist_views.remove, name="remove"),
]
