"""What an address answers when no live item holds it: 301 to where the item moved,
410 掲載を終了しました for an item that was public, 404 for one that never was.

The decision is core.publication.address_answer; this module reads the two items it
needs and renders the answer.
"""

from http import HTTPStatus

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils import timezone

from core.models import FormerAddress
from core.pages import briefly_cached
from core.publication import address_answer


def former_address_response(request, *, model, key, holder, template_name):
    """The answer for the address ``key`` of ``model`` that no live item holds.

    ``holder`` is the item that has the address (any state), or None. The 410 page
    gets the item as ``item``; it never names a draft (a never-public item is a 404,
    so its slug does not leak).
    """
    now = timezone.now()
    moved = FormerAddress.objects.moved_item(model, key)
    status = address_answer(
        here=holder.visibility(now) if holder is not None else None,
        moved_to=moved.visibility(now) if moved is not None else None,
    )
    if status == HTTPStatus.MOVED_PERMANENTLY:
        return briefly_cached(HttpResponsePermanentRedirect(moved.get_absolute_url()))
    if status == HTTPStatus.GONE:
        item = holder if holder is not None else moved
        response = render(request, template_name, {"item": item}, status=HTTPStatus.GONE)
        return briefly_cached(response)
    raise Http404
