"""One publication state for all public content: what is live at a moment, and what an
address answers once its item is gone or moved.

The rules are pure functions of the dates and states (no database, no clock of their
own), tested over every combination in tests/core/test_publication.py; the
``Publishable`` fields and ``live()`` QuerySet method put them to the database.
Workflows that move an item between states are in core.publishing.
"""

from http import HTTPStatus

from django.db import models
from django.db.models import Q
from django.utils import timezone


class State(models.TextChoices):
    """Where an item, or one version of it, stands in the publication workflow."""

    DRAFT = "draft", "下書き"
    IN_REVIEW = "in_review", "承認待ち"
    APPROVED = "approved", "承認済み"
    WITHDRAWN = "withdrawn", "掲載終了"


class Visibility(models.TextChoices):
    """What the public sees of an item at one moment."""

    LIVE = "live", "掲載中"
    NEVER = "never", "未掲載"  # never public (yet): its address must not exist
    ENDED = "ended", "掲載終了"  # public once, not any more


def is_live(*, state, starts_at, ends_at, now):
    """Whether an item is on the site at ``now``: approved, past its 公開開始日時 (if
    any) and before its 公開終了日時 (if any)."""
    return (
        state == State.APPROVED
        and (starts_at is None or starts_at <= now)
        and (ends_at is None or now < ends_at)
    )


def first_live_moment(*, approved_at, starts_at):
    """When an approved item first goes live: at approval, or at a later 公開開始日時."""
    return approved_at if starts_at is None or starts_at <= approved_at else starts_at


def visibility(*, state, starts_at, ends_at, first_published_at, now):
    """LIVE, ENDED (public once, not now) or NEVER (never yet public) at ``now``."""
    if is_live(state=state, starts_at=starts_at, ends_at=ends_at, now=now):
        return Visibility.LIVE
    if first_published_at is not None and first_published_at <= now:
        return Visibility.ENDED
    return Visibility.NEVER


def address_answer(*, here, moved_to):
    """The HTTP status of a public address.

    ``here`` is the visibility of the item that holds the address now (None if
    none does); ``moved_to`` that of the item the address was recorded as moved to
    (None if it never moved). A live item answers 200; a live new place 301; an
    address that was public once 410 (掲載を終了しました); anything else 404, so
    that a draft's address is indistinguishable from one that never existed.
    """
    if here == Visibility.LIVE:
        return HTTPStatus.OK
    if moved_to == Visibility.LIVE:
        return HTTPStatus.MOVED_PERMANENTLY
    if Visibility.ENDED in (here, moved_to):
        return HTTPStatus.GONE
    return HTTPStatus.NOT_FOUND


def live_condition(now, prefix=""):
    """The Q of is_live over the fields of a Publishable (``prefix`` for a relation)."""
    return (
        Q(**{f"{prefix}publication_state": State.APPROVED})
        & (
            Q(**{f"{prefix}publish_starts_at__isnull": True})
            | Q(**{f"{prefix}publish_starts_at__lte": now})
        )
        & (
            Q(**{f"{prefix}publish_ends_at__isnull": True})
            | Q(**{f"{prefix}publish_ends_at__gt": now})
        )
    )


class PublishableQuerySet(models.QuerySet):
    def live(self, now=None):
        """The items on the site at ``now`` (default: this moment); see is_live."""
        return self.filter(live_condition(now or timezone.now()))


class Publishable(models.Model):
    """The publication fields of public content: its state and schedule.

    The row holds only approved content once the item has been approved; later
    edits wait as a draft version (core.models.ContentVersion) until approved.
    """

    publication_state = models.CharField(
        "掲載状態",
        max_length=20,
        choices=State,
        default=State.DRAFT,
        editable=False,
        help_text="承認されるまでサイトには表示されません。",
    )
    publish_starts_at = models.DateTimeField(
        "公開開始日時",
        null=True,
        blank=True,
        editable=False,
        help_text="この日時からサイトに表示されます（空欄なら承認した時から）。",
    )
    publish_ends_at = models.DateTimeField(
        "公開終了日時",
        null=True,
        blank=True,
        editable=False,
        help_text="この日時にサイトから外れ、以前の URL は「掲載を終了しました」と答えます。",
    )
    # When the item first went (or, scheduled, goes) live: from then on its address is
    # public, so a withdrawal answers 410 rather than 404, and its slug stays.
    first_published_at = models.DateTimeField("初回公開日時", null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def is_live(self, now=None):
        return is_live(
            state=self.publication_state,
            starts_at=self.publish_starts_at,
            ends_at=self.publish_ends_at,
            now=now or timezone.now(),
        )

    def visibility(self, now=None):
        return visibility(
            state=self.publication_state,
            starts_at=self.publish_starts_at,
            ends_at=self.publish_ends_at,
            first_published_at=self.first_published_at,
            now=now or timezone.now(),
        )

    def public_addresses(self):
        """(item, key) of the addresses of their own that hang on this item and must
        answer 301 when a change moves them (core.publishing.record_moves); content
        shown only within other pages has none."""
        return []

    def was_ever_approved(self):
        """Whether the row holds approved content (so edits must wait as drafts)."""
        return self.publication_state in (State.APPROVED, State.WITHDRAWN)
