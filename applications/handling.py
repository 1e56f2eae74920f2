"""How a bureau (or the central window) handles a routed request: every status change
goes through here."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from applications.models import InquiryRoute, InternalNote
from applications.workflow import CLOSED, RouteStatus, can_move


@transaction.atomic
def change_route_status(*, route, status, now=None):
    """Save ``route`` with its status moved to ``status``, and what follows from it.

    The move is checked against the status stored now (locked, so two clerks
    cannot both move it from the same place); an invalid move raises
    ValidationError and saves nothing. A route that closes records when
    (``closed_at``, which starts its retention period); staying put is not a
    move, and saves the route's other changes as they are.
    """
    stored = InquiryRoute.objects.select_for_update().values_list("status", flat=True)
    current = stored.get(pk=route.pk)
    if status != current:
        if not can_move(current, status):
            raise ValidationError(
                f"「{RouteStatus(current).label}」から「{RouteStatus(status).label}」には変更できません。",
                code="invalid_transition",
            )
        route.closed_at = (now or timezone.now()) if status in CLOSED else None
    route.status = status
    route.save()
    return route


@transaction.atomic
def update_route(*, route, user, status, assignee, reply_by, note=""):
    """Save what a clerk did to ``route`` on the case screen, all of it or none.

    The assignee and the reply-by date are set as given, the status moves through
    change_route_status (so an invalid move raises ValidationError and nothing is
    saved), and a non-empty ``note`` is added as an internal note by ``user``.
    """
    route.assignee = assignee
    route.reply_by = reply_by
    change_route_status(route=route, status=status)
    if note:
        InternalNote.objects.create(route=route, author=user, body=note)
    return route
