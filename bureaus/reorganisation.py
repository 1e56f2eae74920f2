"""Reorganisations: a bureau merged into another, as on an April 1 reorganisation.

A merge is an act of a 承認者 (HR), like a withdrawal: the merged bureau's duties
move to the bureau it joins, its old addresses (its page and each duty's page)
answer 301 to the new places, and the merged bureau comes off the site. Each step
is recorded as a version (core.models.ContentVersion), so the history of the
bureau and of every moved duty shows it.

What a merge leaves as it was: the merged bureau's row (withdrawn, keeping its slug,
so that its page can answer 301), the requests routed to it (InquiryRoute keeps
the bureau; HR sees every request, and the bureau's staff keep seeing the requests
routed to it) and its staff's memberships (局の担当者). Staff who are to edit the
moved duties are added to the bureau the duties joined, by HR, in 局の担当者: the
merge grants no one access to another bureau's requests.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from bureaus.models import Bureau, Duty
from bureaus.slugs import free_duty_slug
from core import publishing
from core.models import FormerAddress
from core.publication import State


@transaction.atomic
def merge_bureau(*, bureau, into, by, comment="", now=None):
    """Merge ``bureau`` into ``into``; returns the moved duties, in their new order.

    Only a 承認者 (core.publishing.may_approve) merges, an approved bureau into
    another approved one. Every duty of ``bureau`` (live, draft or withdrawn) moves
    to the end of ``into``'s list, in the order it had; a slug ``into`` already
    has gets ``-2``, ``-3`` …. Open drafts follow their duty, so approving one
    later does not move the duty back. If ``bureau`` was public, its page and its
    duties' pages answer 301 to their new places (FormerAddress), as do the old
    addresses that already led to ``bureau``. ``bureau`` is then withdrawn
    (core.publishing.withdraw) with a comment naming ``into``.
    """
    now = now or timezone.now()
    if not publishing.may_approve(by):
        raise PermissionDenied("局を統合する権限がありません。")
    if bureau.pk == into.pk:
        raise ValidationError("統合先には、統合する局とは別の局を選んでください。")
    # Both rows locked, in one order, so that two merges cannot cross.
    locked = Bureau._base_manager.select_for_update().filter(pk__in=[bureau.pk, into.pk])
    rows = {row.pk: row for row in locked.order_by("pk")}
    bureau, into = rows[bureau.pk], rows[into.pk]
    if bureau.publication_state != State.APPROVED:
        raise ValidationError("承認済みの局だけ統合できます。")
    if into.publication_state != State.APPROVED:
        raise ValidationError("統合先には承認済みの局を選んでください。")

    was_public = bureau.first_published_at is not None and bureau.first_published_at <= now
    before = publishing.addresses(bureau)
    duties = list(
        Duty._base_manager.select_for_update()
        .filter(bureau=bureau)
        .select_related("bureau")
        .order_by("order", "slug", "pk")
    )
    taken = set(Duty._base_manager.filter(bureau=into).values_list("slug", flat=True))
    last = Duty._base_manager.filter(bureau=into).aggregate(last=Max("order"))["last"]
    order = 0 if last is None else last + 1
    note = f"{bureau.name_ja}を{into.name_ja}に統合したため、{into.name_ja}に移しました。"
    if comment.strip():
        note += f"\n{comment.strip()}"
    after = {}
    for duty in duties:
        old_slug = duty.slug
        duty.bureau, duty.order = into, order
        duty.slug = free_duty_slug(slug=old_slug, taken=taken)
        taken.add(duty.slug)
        order += 1
        duty.save()
        after[Duty, duty.pk] = duty.catalogue_id
        follow_open_draft(duty, old_bureau=bureau, old_slug=old_slug)
        if duty.was_ever_approved():
            # The move is approved by the act itself: a version in the duty's history,
            # in the state the duty keeps.
            publishing.record_act(item=duty, by=by, comment=note, now=now)

    if was_public:
        publishing.record_moves(before, after, now)
        bureau_type = ContentType.objects.get_for_model(Bureau)
        # Addresses that led to the merged bureau (an earlier name) lead on to ``into``.
        FormerAddress.objects.filter(content_type=bureau_type, object_id=bureau.pk).update(
            object_id=into.pk
        )
        # The merged bureau keeps its slug (its row is withdrawn, not deleted); its
        # page answers 301 because the bureau it moved to is live (address_answer).
        FormerAddress.objects.update_or_create(
            content_type=bureau_type,
            key=bureau.slug,
            defaults={"object_id": into.pk, "recorded_at": now},
        )

    withdrawal = f"{into.name_ja}に統合しました。"
    if comment.strip():
        withdrawal += f"\n{comment.strip()}"
    publishing.withdraw(item=bureau, by=by, comment=withdrawal, now=now)
    return duties


def follow_open_draft(duty, *, old_bureau, old_slug):
    """Make the duty's open draft (if any) name the duty's new bureau and slug where
    it named the old ones, so that its approval keeps the duty where it now is."""
    version = publishing.open_version(duty, lock=True)
    if version is None:
        return
    data = dict(version.data)
    if data.get("bureau") == old_bureau.pk:
        data["bureau"] = duty.bureau_id
    if data.get("slug") == old_slug:
        data["slug"] = duty.slug
    if data != version.data:
        version.data = data
        version.save(update_fields=["data"])
