"""Anonymised programme statistics: request counts published only in groups too large
for any one company to be picked out."""

from dataclasses import dataclass

from django.utils.translation import gettext

from applications.models import Industry, Inquiry
from bureaus.models import Bureau


@dataclass(frozen=True)
class Disclosure:
    """What may be published of one breakdown.

    ``rows`` are the (label, count) groups shown as they are; ``small_groups`` is
    the merged total of the other groups, or None when there are none (or the whole
    table is withheld).
    """

    rows: tuple
    small_groups: int | None

    @property
    def is_empty(self):
        return not self.rows and self.small_groups is None


def disclose(counts, minimum):
    """Apply the disclosure threshold to (label, count) pairs, keeping their order.

    A group of at least ``minimum`` requests is shown with its count. Smaller groups
    are merged into one "その他（少数）" line. When that line would stay below
    ``minimum``, the smallest shown groups are merged into it too (complementary
    suppression) until it reaches it: a table is published whole or not at all, so
    no withheld count can be worked out by subtracting one table's total from
    another's. A table whose whole total is below ``minimum`` shows nothing.
    """
    if minimum < 1:
        raise ValueError(f"the minimum must be at least 1, not {minimum}")
    shown = [(label, count) for label, count in counts if count >= minimum]
    merged_total = sum(count for _label, count in counts if count < minimum)
    if 0 < merged_total < minimum:
        # Smallest first; among equals, the later one in the table's order.
        for index in sorted(range(len(shown)), key=lambda i: (shown[i][1], -i)):
            merged_total += shown[index][1]
            shown[index] = None
            if merged_total >= minimum:
                break
        shown = [row for row in shown if row is not None]
    if 0 < merged_total < minimum:
        return Disclosure(rows=(), small_groups=None)
    return Disclosure(rows=tuple(shown), small_groups=merged_total or None)


def programme_statistics(*, minimum):
    """The three published breakdowns of pre-consultation requests, labelled in the
    active language: by bureau, by industry and by year of receipt (Tokyo time).

    Nothing is published while there are fewer than ``minimum`` requests in all: the
    bureau table counts a request once per bureau it names, so its total could pass
    the threshold on a handful of requests.
    """
    if Inquiry.objects.count() < minimum:
        nothing = Disclosure(rows=(), small_groups=None)
        return {"by_bureau": nothing, "by_industry": nothing, "by_year": nothing}
    by_bureau = Inquiry.objects.counts_by_bureau()
    bureaus = Bureau.objects.in_bulk([pk for pk in by_bureau if pk is not None])
    by_industry = Inquiry.objects.counts_by_industry()
    by_year = Inquiry.objects.counts_by_year()
    return {
        "by_bureau": disclose(
            [(bureau_label(bureaus, pk), count) for pk, count in by_bureau.items()],
            minimum,
        ),
        "by_industry": disclose(
            [(industry_label(value), count) for value, count in by_industry.items()], minimum
        ),
        "by_year": disclose(
            [(gettext("%(year)s年") % {"year": year}, count) for year, count in by_year.items()],
            minimum,
        ),
    }


def bureau_label(bureaus, pk):
    """The bureau's name; requests that named no bureau asked about other duties only."""
    if pk is None:
        return gettext("局の指定なし")
    bureau = bureaus.get(pk)
    # Deleted between the two queries: its requests still count, unnamed.
    return bureau.name if bureau else gettext("局の指定なし")


def industry_label(value):
    """The industry's name in the active language (the stored value if it is no longer a choice)."""
    return Industry(value).label if value in Industry.values else value
