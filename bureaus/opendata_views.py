"""Open data: the catalogue as JSON and CSV, its documentation page, the Atom feed of duties."""

from functools import wraps

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from bureaus import opendata
from bureaus.models import Bureau, Duty, Theme
from bureaus.views import published_themes


def published_catalogue(request):
    """catalogue_records over the published catalogue, in four queries whatever its size."""
    bureaus = Bureau.objects.live().prefetch_related(
        Prefetch(
            "duties",
            queryset=Duty.objects.live_alone().prefetch_related(published_themes()),
            to_attr="published_duties",
        )
    )
    return opendata.catalogue_records(
        bureaus=list(bureaus),
        themes=list(Theme.objects.live()),
        absolute=request.build_absolute_uri,
        catalogue_path=lambda: reverse("bureaus:list"),
        documentation_path=lambda: reverse("opendata:page"),
    )


def shared_with_any_site(view):
    """Let scripts on other sites read the files: they are public and need no cookie."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


def catalogue_json(request):
    return HttpResponse(
        opendata.to_json(published_catalogue(request)),
        content_type="application/json; charset=utf-8",
    )


def duties_csv(request):
    rows = opendata.duty_csv_rows(published_catalogue(request))
    columns = opendata.field_names(opendata.DUTY_CSV_FIELDS)
    return HttpResponse(
        opendata.to_csv(rows, columns), content_type="text/csv; charset=utf-8; header=present"
    )


def bureaus_csv(request):
    rows = opendata.bureau_csv_rows(published_catalogue(request))
    columns = opendata.field_names(opendata.BUREAU_CSV_FIELDS)
    return HttpResponse(
        opendata.to_csv(rows, columns), content_type="text/csv; charset=utf-8; header=present"
    )


class OpenDataView(TemplateView):
    """What the files hold, field by field, and the terms of reuse."""

    template_name = "bureaus/opendata.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            license=opendata.LICENSE,
            catalogue_fields=opendata.CATALOGUE_FIELDS,
            theme_fields=opendata.THEME_FIELDS,
            bureau_fields=opendata.BUREAU_FIELDS,
            duty_fields=opendata.DUTY_FIELDS,
            duty_csv_fields=opendata.DUTY_CSV_FIELDS,
            bureau_csv_fields=opendata.BUREAU_CSV_FIELDS,
            list_separator=opendata.LIST_SEPARATOR,
            **kwargs,
        )


class DutyFeed(Feed):
    """New and changed duties, newest first, in the language of the URL."""

    feed_type = Atom1Feed
    title = _("東京都 交流受入 業務内容例の新着・更新")
    subtitle = _(
        "東京都が民間企業等の人材を受け入れる業務内容例のうち、新しく掲載されたものと変更されたもの。"
    )
    author_name = _("東京都")

    def link(self):
        return reverse("bureaus:list")

    def feed_url(self):
        return reverse("opendata:duties-feed")

    def items(self):
        return (
            Duty.objects.live()
            .select_related("bureau")
            .prefetch_related(published_themes())
            .order_by("-updated_at", "bureau__slug", "slug")
        )

    def item_title(self, duty):
        return duty.title

    def item_description(self, duty):
        return f"{duty.bureau.name}: {duty.description or duty.title}"

    def item_author_name(self, duty):
        return duty.bureau.name

    def item_pubdate(self, duty):
        return duty.created_at

    def item_updateddate(self, duty):
        return duty.updated_at

    def item_categories(self, duty):
        return [theme.name for theme in duty.themes.all()]
