"""URLs of the open data: the documentation page and the feed per language, the files once.

``urlpatterns`` is mounted in each language (/opendata/, /en/opendata/); ``files``
at unprefixed addresses only, since every record holds both languages and the
addresses are meant to stay put (/opendata/catalogue.json).
"""

from django.urls import path

from bureaus import opendata_views as views
from core.pages import public_page

app_name = "opendata"
urlpatterns = [
    path("opendata/", public_page(views.OpenDataView.as_view()), name="page"),
    path("feeds/duties.atom", public_page(views.DutyFeed()), name="duties-feed"),
]

files = (
    [
        path(
            "catalogue.json",
            views.shared_with_any_site(public_page(views.catalogue_json)),
            name="catalogue-json",
        ),
        path(
            "duties.csv",
            views.shared_with_any_site(public_page(views.duties_csv)),
            name="duties-csv",
        ),
        path(
            "bureaus.csv",
            views.shared_with_any_site(public_page(views.bureaus_csv)),
            name="bureaus-csv",
        ),
    ],
    "opendata-files",
)
