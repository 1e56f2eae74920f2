"""The publication workflow: save a draft, ask for review, approve or send back,
withdraw, and return to an earlier version.

Each step is one keyword-only, atomic function that admin (and tests, and the shell)
calls; each records who did it and when on a ContentVersion. A change to an item
that was ever approved waits in its open version, beside the live row, until a
承認者 who did not write it approves it (four eyes); approval copies it onto the
row. The rules of what is live when are in core.publication.
"""

import datetime
import logging

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from core.models import ContentVersion, FormerAddress
from core.publication import State, first_live_moment
from core.revision import expect_change_at

APPROVE_PERMISSION = "core.approve_content"

logger = logging.getLogger(__name__)


def may_approve(user):
    """Whether ``user`` holds the 承認者 permission (HR)."""
    return user.is_active and user.has_perm(APPROVE_PERMISSION)


# --- An item's editable content as plain data, and back. ------------------------------


def versioned_fields(model):
    """The fields a version records: what editors write, not the order in a list, the
    bureau's confirmation (a separate act of the bureau) or the publication fields."""
    skipped = set(getattr(model, "UNVERSIONED_FIELDS", ()))
    fields = [
        field
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if field.editable and not field.primary_key and field.name not in skipped
    ]
    return fields


def plain(field, value):
    """A form or model value as JSON: ids for relations, ISO text for dates."""
    if field.many_to_many:
        return sorted(getattr(item, "pk", item) for item in value or ())
    if field.is_relation:
        return getattr(value, "pk", value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def snapshot(item):
    """The item's versioned fields as they are on its row."""
    data = {}
    for field in versioned_fields(type(item)):
        if field.many_to_many:
            data[field.name] = plain(field, getattr(item, field.name).all() if item.pk else ())
        elif field.is_relation:
            data[field.name] = getattr(item, field.attname)
        else:
            data[field.name] = plain(field, getattr(item, field.attname))
    return data


def form_snapshot(model, cleaned_data, base):
    """The versioned fields from a form's cleaned data, the rest from ``base``."""
    data = dict(base)
    for field in versioned_fields(model):
        if field.name in cleaned_data:
            data[field.name] = plain(field, cleaned_data[field.name])
    return data


def apply_data(item, data):
    """Set the item's fields (not many-to-many) from version data; returns the
    many-to-many values to set once the row is saved."""
    related = {}
    for field in versioned_fields(type(item)):
        if field.name not in data:
            continue
        value = data[field.name]
        if field.many_to_many:
            related[field.name] = value
        elif field.is_relation:
            setattr(item, field.attname, value)
        elif isinstance(field, models.DateTimeField) and isinstance(value, str):
            setattr(item, field.attname, parse_datetime(value))
        elif isinstance(field, models.DateField) and isinstance(value, str):
            setattr(item, field.attname, parse_date(value))
        else:
            setattr(item, field.attname, value)
    return related


def open_version(item, *, lock=False):
    """The item's draft or version in review, or None."""
    versions = ContentVersion.objects.of(item).open()
    if lock:
        versions = versions.select_for_update()
    return versions.first()


def locked_version(version):
    return ContentVersion.objects.select_for_update().get(pk=version.pk)


def locked_item(version):
    model = version.content_type.model_class()
    return model._base_manager.select_for_update().get(pk=version.object_id)


# --- The workflows. -------------------------------------------------------------------


@transaction.atomic
def save_draft(*, item, data, author, now=None):
    """Keep ``data`` as the item's open draft, written by ``author``.

    A version waiting for approval goes back to draft when edited: what the
    approver reads must be what they approve.
    """
    now = now or timezone.now()
    version = open_version(item, lock=True)
    if version is None:
        version = ContentVersion.objects.create(
            content_type=ContentType.objects.get_for_model(item),
            object_id=item.pk,
            data=data,
            author=author,
            created_at=now,
            updated_at=now,
        )
    else:
        version.data = data
        version.state = State.DRAFT
        version.submitted_at = version.submitted_by = None
        version.updated_at = now
        version.save()
    version.editors.add(author)
    return version


@transaction.atomic
def ask_for_review(*, version, by, now=None):
    """Send a draft to the 承認者."""
    version = locked_version(version)
    if version.state != State.DRAFT:
        raise ValidationError("下書きの版だけ承認を依頼できます。")
    version.state = State.IN_REVIEW
    version.submitted_by = by
    version.submitted_at = version.updated_at = now or timezone.now()
    version.save()
    return version


def check_reviewer(version, by):
    if not may_approve(by):
        raise PermissionDenied("承認する権限がありません。")
    if version.state != State.IN_REVIEW:
        raise ValidationError("承認待ちの版ではありません。")
    if version.editors.filter(pk=by.pk).exists():
        raise PermissionDenied("自分が編集した版は承認できません（別の承認者が承認します）。")


@transaction.atomic
def send_back(*, version, by, comment, now=None):
    """Return a version in review to its editors as a draft, with the reason."""
    version = locked_version(version)
    check_reviewer(version, by)
    if not comment.strip():
        raise ValidationError("差し戻す理由をコメントに書いてください。")
    version.state = State.DRAFT
    version.reviewer = by
    version.reviewed_at = version.updated_at = now or timezone.now()
    version.comment = comment.strip()
    version.save()
    return version


@transaction.atomic
def approve(*, version, by, starts_at=None, ends_at=None, comment="", now=None):
    """Approve a version in review: its content goes onto the public row, live from
    ``starts_at`` (or now) until ``ends_at`` (or for good).

    A change to an item that is live now, approved with a later ``starts_at``,
    waits (``ContentVersion.scheduled``) and the live content stays on the site
    until that moment, when apply_scheduled_versions puts it on: an April 1
    reorganisation is approved in March without the bureau vanishing meanwhile.
    Addresses the change moves (a renamed bureau and its duties, a duty moved to
    another bureau) are recorded as FormerAddress rows, so they answer 301.
    """
    now = now or timezone.now()
    version = locked_version(version)
    check_reviewer(version, by)
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError("公開終了日時は公開開始日時より後にしてください。")
    if ends_at and ends_at <= now:
        raise ValidationError("公開終了日時は現在より後にしてください。")
    item = locked_item(version)
    version.state = State.APPROVED
    version.reviewer = by
    version.reviewed_at = version.updated_at = now
    version.comment = comment.strip()
    version.publish_starts_at, version.publish_ends_at = starts_at, ends_at
    if starts_at is not None and starts_at > now and item.is_live(now):
        version.applied_at = None
        expect_change_at(starts_at)
    else:
        put_on_row(item, version, now=now)
        version.applied_at = now
    version.save()
    return version


def put_on_row(item, version, *, now):
    """Copy an approved ``version`` onto the item's public row with its schedule."""
    was_public = item.first_published_at is not None and item.first_published_at <= now
    before = addresses(item) if was_public else {}
    related = apply_data(item, version.data)
    # Another item may have taken the address meanwhile (a slug in the same bureau):
    # say so in words rather than fail on the database's unique constraint.
    item.validate_unique()
    item.validate_constraints()
    item.publication_state = State.APPROVED
    item.publish_starts_at = version.publish_starts_at
    item.publish_ends_at = version.publish_ends_at
    if not was_public:
        item.first_published_at = first_live_moment(
            approved_at=now, starts_at=version.publish_starts_at
        )
    item.save()
    for name, ids in related.items():
        getattr(item, name).set(ids)
    record_moves(before, addresses(item), now)


@transaction.atomic
def apply_scheduled_versions(*, now=None):
    """Put every approved change whose 公開開始日時 has come onto its item's row, in
    the order of those moments; returns how many. Requests that pass the moment at
    once share the work (a version another is applying is skipped)."""
    now = now or timezone.now()
    due = (
        ContentVersion.objects.scheduled()
        .filter(publish_starts_at__lte=now)
        .select_for_update(skip_locked=True, of=("self",))
    )
    applied = 0
    for version in due:
        try:
            with transaction.atomic():
                put_on_row(locked_item(version), version, now=version.publish_starts_at)
        except ValidationError as error:
            return_unapplicable(version, error, now)
            continue
        version.applied_at = now
        version.save(update_fields=["applied_at"])
        applied += 1
    return applied


def return_unapplicable(version, error, now):
    """A scheduled change that can no longer go on its row (its address was taken
    meanwhile) goes back to its editors as a draft with the reason, so it is never
    tried again at every request; the live content stays."""
    logger.warning(
        "scheduled version %s of %s %s could not be applied",
        version.pk,
        version.content_type.model,
        version.object_id,
    )
    reason = "公開開始日時に掲載へ反映できませんでした（" + " ".join(error.messages) + "）。"
    version.comment = f"{version.comment}\n{reason}".strip()
    version.updated_at = now
    if (
        ContentVersion.objects.filter(
            content_type=version.content_type, object_id=version.object_id
        )
        .open()
        .exists()
    ):
        version.applied_at = now  # Already a newer draft: keep this one as history.
    else:
        version.state = State.DRAFT
    version.save()


@transaction.atomic
def withdraw(*, item, by, comment="", now=None):
    """Take an item off the site now. Its address answers 410 if it was ever public,
    404 if it never was; the withdrawal is recorded as a version."""
    now = now or timezone.now()
    if not may_approve(by):
        raise PermissionDenied("掲載を終了する権限がありません。")
    item = type(item)._base_manager.select_for_update().get(pk=item.pk)
    if item.publication_state != State.APPROVED:
        raise ValidationError("承認済みの項目だけ掲載を終了できます。")
    item.publication_state = State.WITHDRAWN
    if item.first_published_at is not None and item.first_published_at > now:
        item.first_published_at = None  # scheduled, never shown: its address never existed
    item.save()
    return record_act(item=item, by=by, comment=comment, now=now)


def record_act(*, item, by, comment, now):
    """A version in the item's history for an act of a 承認者 that needs no review
    (a withdrawal, a merger's move): the item's content as it now is, in its state."""
    return ContentVersion.objects.create(
        content_type=ContentType.objects.get_for_model(item),
        object_id=item.pk,
        state=item.publication_state,
        data=snapshot(item),
        author=by,
        reviewer=by,
        reviewed_at=now,
        created_at=now,
        updated_at=now,
        applied_at=now,
        comment=comment.strip(),
    )


@transaction.atomic
def restore(*, version, by, now=None):
    """Start a new draft from an earlier version's content (nothing goes live until
    it is approved)."""
    if version.state not in (State.APPROVED, State.WITHDRAWN):
        raise ValidationError("承認済みの版だけ戻せます。")
    item = version.content_type.model_class()._base_manager.get(pk=version.object_id)
    return save_draft(item=item, data=dict(version.data), author=by, now=now)


# --- Moved addresses. -------------------------------------------------------------------


def addresses(item):
    """{(model, pk): key} of the public addresses that hang on ``item``."""
    return {(type(obj), obj.pk): key for obj, key in item.public_addresses()}


def record_moves(before, after, now):
    for (model, pk), old_key in before.items():
        if after.get((model, pk), old_key) != old_key:
            FormerAddress.objects.update_or_create(
                content_type=ContentType.objects.get_for_model(model),
                key=old_key,
                defaults={"object_id": pk, "recorded_at": now},
            )
