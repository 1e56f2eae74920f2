"""Views of the catalogue: the filterable list, a bureau, a duty."""

from django.db.models import Prefetch
from django.shortcuts import render
from django.views.generic import DetailView

from bureaus.forms import CatalogueFilterForm
from bureaus.models import Bureau, Duty, Theme, attach_listed_themes
from bureaus.search import query_words
from core.content import active_language


def published_themes():
    return Prefetch("themes", queryset=Theme.objects.published())


def catalogue(request):
    """Every published bureau with its duties, narrowed by bureau, theme and keyword.

    The whole published catalogue (a flyer's worth, hundreds of rows at most) is
    read in three queries and filtered in memory, so the page costs the same
    whatever the filter and whatever the size: bureaus, their duties, and which
    duty carries which published theme (plus the site footer's inquiry window).
    """
    bureaus = list(Bureau.objects.published())
    # The duties of the bureaus just read: a bureau published in between waits for
    # the next request rather than arriving without its section.
    duties = attach_listed_themes(
        # Grouped by bureau below, so only the order within a bureau matters: no join.
        Duty.objects.filter(is_published=True, bureau__in=bureaus).order_by("order", "slug")
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


class BureauDetailView(DetailView):
    queryset = Bureau.objects.published()

    def get_context_data(self, **kwargs):
        duties = attach_listed_themes(self.object.duties.filter(is_published=True))
        return super().get_context_data(duties=duties, **kwargs)


class DutyDetailView(DetailView):
    def get_queryset(self):
        return (
            Duty.objects.published()
            .filter(bureau__slug=self.kwargs["bureau_slug"])
            .select_related("bureau")
            .prefetch_related(published_themes())
        )
