"""The shortlist pages: add and remove duties, the list itself, and its one-page print view.

These pages are per visitor, so none of them goes through the public page cache;
the duty pages that post to ``add`` do, which is why ``add`` takes no CSRF token.
"""

from django.contrib import messages
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bureaus.models import Duty
from portal.models import OverviewPoint, Restriction
from portal.shortlist import MAX_DUTIES, Outcome, Shortlist, consultation_url


def _posted_duty(request):
    """The published duty named by the form's ``duty`` field, or None."""
    return Duty.objects.live().identified_by([request.POST.get("duty", "")]).first()


# CSRF-exempt on purpose. The "add" button sits on duty pages served from the
# shared page cache, which must not carry a per-visitor token. It is safe here:
# the session cookie is SameSite=Lax, so a POST from another site arrives with no
# session and cannot touch the visitor's list; the list holds nothing of value;
# and the view only changes the visitor's own session. A browser that says the
# POST is cross-site is refused as well, so such a form cannot even replace the
# visitor's session cookie with a new one (and drop a half-written consultation).
@csrf_exempt
@require_POST
def add(request):
    """Put the posted duty on the visitor's shortlist, then show the list (PRG)."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return HttpResponseForbidden()
    duty = _posted_duty(request)
    if duty is None:
        messages.warning(request, _("この業務は現在掲載されていないため、追加できませんでした。"))
        return redirect("shortlist:list")
    outcome = Shortlist(request.session).add(duty.catalogue_id)
    if outcome is Outcome.ADDED:
        messages.success(
            request, _("「%(title)s」を候補リストに追加しました。") % {"title": duty.title}
        )
    elif outcome is Outcome.ALREADY_LISTED:
        messages.info(
            request, _("「%(title)s」はすでに候補リストにあります。") % {"title": duty.title}
        )
    else:
        messages.warning(
            request,
            _(
                "候補リストに入れられる業務は %(max)s 件までです。"
                "「%(title)s」を追加するには、ほかの業務を外してください。"
            )
            % {"max": MAX_DUTIES, "title": duty.title},
        )
    return redirect("shortlist:list")


# Unlike add, remove keeps Django's CSRF check: its buttons are only on the list
# page, which is never cached and so can carry the visitor's token.
@require_POST
def remove(request):
    """Take the posted duty off the shortlist, then show the list (PRG)."""
    value = request.POST.get("duty", "")
    if Shortlist(request.session).remove(value):
        duty = _posted_duty(request)
        if duty is None:
            messages.success(request, _("業務を候補リストから外しました。"))
        else:
            messages.success(
                request, _("「%(title)s」を候補リストから外しました。") % {"title": duty.title}
            )
    return redirect("shortlist:list")


@never_cache
def shortlist(request):
    """The visitor's shortlist, bureau by bureau, with the links to print and to consult."""
    duties = Shortlist(request.session).published_duties()
    return render(
        request,
        "portal/shortlist.html",
        {
            "duties": duties,
            "max_duties": MAX_DUTIES,
            "is_full": len(duties) >= MAX_DUTIES,
            "consultation_url": consultation_url(duties) if duties else "",
        },
    )


@never_cache
def shortlist_print(request):
    """One printable page for approval inside the sending company: the programme's
    terms, the chosen duties with their bureaus' contacts, the restrictions and the
    central window, dated and with the site's address."""
    site_root = request.build_absolute_uri("/").removesuffix("/")
    return render(
        request,
        "portal/shortlist_print.html",
        {
            "duties": Shortlist(request.session).published_duties(),
            "overview_points": OverviewPoint.objects.live(),
            "restrictions": Restriction.objects.live(),
            "printed_on": timezone.localdate(),
            "site_root": site_root,
            "site_url": site_root + reverse("portal:home"),
        },
    )
