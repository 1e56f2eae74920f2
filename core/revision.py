"""The content revision: a number every change to public content moves on.

Pages use it as their ETag and Last-Modified and to check a stored copy
(core.pages). Each app names its own public models in its AppConfig.ready with
``register_public_models``; saving or deleting any of them makes a new revision.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save

from core.models import ContentRevision, InquiryWindow

REVISION_KEY = "content-revision"


def current_revision(request=None):
    """(number, changed_at) of the content, from the cache when it holds them.

    The cache entry is rewritten by every bump, and lives only
    REVISION_CACHE_SECONDS: with a cache shared by all app servers (Redis) an
    edit shows at once; with a per-process cache, other processes see it within
    that time.
    """
    cached = cache.get(REVISION_KEY)
    if cached is not None:
        return cached
    revision = revision_and_window(request)
    cache.set(REVISION_KEY, revision, settings.REVISION_CACHE_SECONDS)
    return revision


def revision_and_window(request=None):
    """The content revision, read in one query with the footer's inquiry window.

    The window is kept on the request (when there is one) for the site context
    processor, so a page costs no extra query for either.
    """
    latest = ContentRevision.objects.order_by()
    window = InquiryWindow.objects.annotate(
        revision_number=Subquery(latest.values("number")[:1]),
        revision_changed_at=Subquery(latest.values("changed_at")[:1]),
    ).current()
    if request is not None:
        request.inquiry_window = window
    if window is None or window.revision_number is None:
        revision = ContentRevision.current()
        return revision.number, revision.changed_at
    return window.revision_number, window.revision_changed_at


def bump_content_revision(sender, **kwargs):
    """Signal receiver: any change to published content makes a new revision."""
    if kwargs.get("raw"):  # Fixture loading.
        return
    ContentRevision.bump()
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
