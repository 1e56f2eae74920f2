"""Views of the catalogue: the filterable list, a bureau, a duty."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.generic import DetailView

from bureaus.forms import CatalogueFilterForm
from bureaus.models import Bureau, Duty, Theme, attach_listed_themes
from bureaus.search import query_words
from core.addresses import former_address_response
from core.content import active_language


def published_themes():
    return Prefetch("themes", queryset=Theme.objects.live())


def catalogue(request):
    """Every published bureau with its duties, narrowed by bureau, theme and keyword.

    The whole published catalogue (a flyer's worth, hundreds of rows at most) is
    read in three queries and filtered in memory, so the page costs the same
    whatever the filter and whatever the size: bureaus, their duties, and which
    duty carries which published theme (plus the site footer's inquiry window).
    """
    now = timezone.now()
    bureaus = list(Bureau.objects.live(now))
    # The duties of the bureaus just read: a bureau published in between waits for
    # the next request rather than arriving without its section.
    duties = attach_listed_themes(
        # Grouped by bureau below, so only the order within a bureau matters: no join.
        Duty.objects.filter(bureau__in=bureaus).live_alone(now).order_by("order", "slug")
    )
    by_bureau = {bureau.pk: bureau for bureau in bureaus}
    for bureau in bureaus:
        bureau.published_duties = []
    for duty in duties:
        duty.bureau = by_bureau[duty.bureau_id]
        duty.bureau.published_duties.append(duty)
    themes = sorted(
        {theme for duty in duties for theme in duty.listed_themes},
        key=lambda theme: (theme.order, theme.slug),
    )
    form = CatalogueFilterForm(request.GET, bureaus=bureaus, themes=themes)
    form.is_valid()  # Every field is optional and unknown values were dropped.
    # A page for a bureau or theme that does not exist is rendered, never stored.
    request.store_page = not form.ignored
    keyword = form.cleaned_data.get("q", "")
    words, language = query_words(keyword), active_language()
    bureau_slug = form.cleaned_data.get("bureau", "")
    theme_slug = form.cleaned_data.get("theme", "")

    sections = []
    for bureau in bureaus:
        if bureau_slug and bureau.slug != bureau_slug:
            continue
        duties = [
            duty for duty in bureau.published_duties if duty.matches(words, theme_slug, language)
        ]
        if duties or not form.is_filtered:
            sections.append((bureau, duties))
    return render(
        request,
        "bureaus/catalogue.html",
        {
            "form": form,
            "sections": sections,
            "result_count": sum(len(duties) for _bureau, duties in sections),
            "keyword": keyword,
        },
    )


class FormerAddressMixin:
    """A page whose address, once its item is gone or moved, answers 410 or 301
    (core.addresses) instead of a bare 404."""

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            return former_address_response(
                request,
                model=self.model,
                key=self.address_key(),
                holder=self.holder(),
                template_name="bureaus/gone.html",
            )


class BureauDetailView(FormerAddressMixin, DetailView):
    model = Bureau

    def get_queryset(self):
        return Bureau.objects.live()

    def get_context_data(self, **kwargs):
        duties = attach_listed_themes(self.object.duties.live_alone())
        return super().get_context_data(duties=duties, **kwargs)

    def address_key(self):
        return self.kwargs["slug"]

    def holder(self):
        return Bureau.objects.filter(slug=self.kwargs["slug"]).first()


class DutyDetailView(FormerAddressMixin, DetailView):
    model = Duty

    def get_queryset(self):
        return (
            Duty.objects.live()
            .filter(bureau__slug=self.kwargs["bureau_slug"])
            .select_related("bureau")
            .prefetch_related(published_themes())
        )

    def address_key(self):
        return f"{self.kwargs['bureau_slug']}/{self.kwargs['slug']}"

    def holder(self):
        return (
            Duty.objects.filter(bureau__slug=self.kwargs["bureau_slug"], slug=self.kwargs["slug"])
            .select_related("bureau")
            .first()
        )
