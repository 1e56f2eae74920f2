"""The content revision: a number every change to public content moves on.

Pages use it as their ETag and Last-Modified and to check a stored copy
(core.pages). Each app names its own public models in its AppConfig.ready with
``register_public_models``; saving or deleting any of them makes a new revision.
Scheduled content (core.publication.Publishable) changes the site with no save at
its 公開開始日時 and 公開終了日時: the revision keeps the next such moment, and the
first request after it makes a new revision, so stored pages and ETags follow.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import DateTimeField, F, Q, Subquery, Value
from django.db.models.functions import Coalesce, Least, NullIf
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from core.models import ContentRevision, ContentVersion, InquiryWindow
from core.publication import Publishable, State

REVISION_KEY = "content-revision"

# The registered public models with a publication schedule.
SCHEDULED_MODELS = []


def current_revision(request=None):
    """(number, changed_at) of the content, from the cache when it holds them.

    The cache entry is rewritten by every bump, and lives only
    REVISION_CACHE_SECONDS: with a cache shared by all app servers (Redis) an
    edit shows at once; with a per-process cache, other processes see it within
    that time. A scheduled change that has passed makes a new revision first.
    """
    cached = cache.get(REVISION_KEY)
    if cached is None:
        cached = revision_and_window(request, with_boundary=True)
        cache.set(REVISION_KEY, cached, settings.REVISION_CACHE_SECONDS)
    number, changed_at, boundary = cached
    if boundary is not None and timezone.now() >= boundary:
        pass_schedule_boundary(boundary)
        cache.delete(REVISION_KEY)
        number, changed_at, _boundary = revision_and_window(request, with_boundary=True)
    return number, changed_at


# Stands in for "no moment" inside the SQL below, where a NULL would win LEAST() on
# some databases and lose it on others.
NO_MOMENT = Value(datetime(9999, 12, 31, tzinfo=UTC), output_field=DateTimeField())


def next_schedule_boundary(now):
    """The next 公開開始日時 or 公開終了日時 of approved content after ``now`` (None if
    there is none), as one SQL expression: every public save writes it with the new
    revision in a single UPDATE, however many kinds of content are scheduled.

    An approved change still waiting to go on its item's row counts from its
    公開開始日時 even if that has passed, so the next request applies it.
    """
    moments = [Subquery(ContentVersion.objects.scheduled().values("publish_starts_at")[:1])]
    for model in SCHEDULED_MODELS:
        approved = model._base_manager.filter(publication_state=State.APPROVED)
        for field in ("publish_starts_at", "publish_ends_at"):
            later = approved.filter(**{f"{field}__gt": now}).order_by(field).values(field)
            moments.append(Subquery(later[:1]))
    return NullIf(Least(*(Coalesce(moment, NO_MOMENT) for moment in moments)), NO_MOMENT)


def pass_schedule_boundary(boundary):
    """A new revision, dated at the scheduled ``boundary`` that has passed, once the
    approved changes due by now are on the site."""
    # Imported here: the workflow module stands on this one (it announces the
    # changes it schedules through expect_change_at).
    from core.publishing import apply_scheduled_versions

    apply_scheduled_versions()
    ContentRevision.pass_boundary(
        boundary=boundary, next_boundary_at=next_schedule_boundary(timezone.now())
    )


def expect_change_at(moment):
    """Make ``moment`` the next scheduled change if none comes before it: an approved
    change that waits for its 公開開始日時 changes the site then with no save."""
    ContentRevision.objects.filter(
        Q(next_boundary_at__isnull=True) | Q(next_boundary_at__gt=moment)
    ).update(next_boundary_at=moment)
    cache.delete(REVISION_KEY)
    transaction.on_commit(lambda: cache.delete(REVISION_KEY))


def revision_and_window(request=None, *, with_boundary=False):
    """The content revision, read in one query with the footer's inquiry window.

    The window is kept on the request (when there is one) for the site context
    processor, so a page costs no extra query for either. With ``with_boundary``,
    the next scheduled change comes third.
    """
    latest = ContentRevision.objects.order_by()
    window = InquiryWindow.objects.annotate(
        revision_number=Subquery(latest.values("number")[:1]),
        revision_changed_at=Subquery(latest.values("changed_at")[:1]),
        revision_next_boundary_at=Subquery(latest.values("next_boundary_at")[:1]),
    ).current()
    if request is not None:
        # The row holds approved content; the footer shows it only while it is live.
        request.inquiry_window = window if window is not None and window.is_live() else None
    if window is None or window.revision_number is None:
        revision = ContentRevision.current()
        found = revision.number, revision.changed_at, revision.next_boundary_at
    else:
        found = (
            window.revision_number,
            window.revision_changed_at,
            window.revision_next_boundary_at,
        )
    return found if with_boundary else found[:2]


def boundary_with(item, now):
    """The revision's next boundary, brought forward to ``item``'s own 公開開始日時 or
    公開終了日時 if the item is approved and that comes sooner (an SQL expression).

    A save can add a moment to the schedule but never needs one removed at once:
    a boundary left too early only makes the request that passes it look again
    (pass_schedule_boundary reads the whole schedule), while a save costs one
    short UPDATE however many kinds of content are scheduled.
    """
    kept = F("next_boundary_at")
    if getattr(item, "publication_state", None) != State.APPROVED:
        return kept
    moments = [
        Value(moment, output_field=DateTimeField())
        for moment in (item.publish_starts_at, item.publish_ends_at)
        if moment is not None and moment > now
    ]
    if not moments:
        return kept
    return NullIf(Least(Coalesce(kept, NO_MOMENT), *moments), NO_MOMENT)


def bump_content_revision(sender, instance=None, signal=None, **kwargs):
    """Signal receiver: any change to published content makes a new revision."""
    if kwargs.get("raw"):  # Fixture loading.
        return
    saved = instance if signal is post_save else None
    ContentRevision.bump(next_boundary_at=boundary_with(saved, timezone.now()))
    cache.delete(REVISION_KEY)
    # Again once the edit is visible to others: a page read between the two
    # could have cached the old number.
    transaction.on_commit(lambda: cache.delete(REVISION_KEY))


def register_public_models(*models):
    """Make every save and delete of these models (and every change to the rows of
    these many-to-many tables) a new content revision.

    Signals, not a workflow: every path that changes content (admin, shell, bulk
    edits through save()) must reach it.
    """
    for model in models:
        label = model._meta.label_lower
        if issubclass(model, Publishable) and model not in SCHEDULED_MODELS:
            SCHEDULED_MODELS.append(model)
        if model._meta.auto_created:  # A many-to-many table.
            m2m_changed.connect(
                bump_content_revision, sender=model, dispatch_uid=f"revision-m2m-{label}"
            )
            continue
        post_save.connect(
            bump_content_revision, sender=model, dispatch_uid=f"revision-save-{label}"
        )
        post_delete.connect(
            bump_content_revision, sender=model, dispatch_uid=f"revision-delete-{label}"
        )
