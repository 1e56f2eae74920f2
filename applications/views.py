"""The pre-consultation steps (input, confirm, done: each POST redirects), the applicant's
status page, and the public statistics of requests."""

import uuid

from django.conf import settings
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from applications.forms import ConsultationForm
from applications.intake import restriction_notes, submit_inquiry
from applications.models import Inquiry
from applications.statistics import programme_statistics
from applications.throttle import take_submission_slot
from bureaus.models import Bureau, Duty
from core.pages import briefly_cached
from portal.shortlist import MAX_DUTIES

DRAFT = "consultation_draft"
DONE = "consultation_done"


def _draft_form(request, **kwargs):
    """The form bound to what the visitor typed earlier in this session, or None."""
    draft = request.session.get(DRAFT)
    if not draft:
        return None
    data = QueryDict(mutable=True)
    for name, values in draft["data"].items():
        data.setlist(name, values)
    return ConsultationForm(data, **kwargs)


def _initial_from_links(request):
    """Pre-select the bureau a catalogue page linked from, and the duties: one from a
    duty page, or every duty of the visitor's shortlist (``?duty=a/b&duty=c/d``)."""
    initial = {}
    if slug := request.GET.get("bureau"):
        initial["bureaus"] = list(Bureau.objects.published().filter(slug=slug))
    if paths := request.GET.getlist("duty"):
        initial["duties"] = list(Duty.objects.published().identified_by(paths[:MAX_DUTIES]))
    return initial


def consultation_form(request):
    if request.method == "POST":
        form = ConsultationForm(request.POST)
        if form.is_valid():
            data = {
                name: request.POST.getlist(name)
                for name in request.POST
                if name != "csrfmiddlewaretoken"
            }
            previous = request.session.get(DRAFT) or {}
            # Keep the token across edits: it identifies this one request.
            request.session[DRAFT] = {
                "data": data,
                "token": previous.get("token") or str(uuid.uuid4()),
            }
            return redirect("applications:confirm")
    elif "edit" in request.GET and (form := _draft_form(request, check_timing=False)):
        form.full_clean()
    else:
        form = ConsultationForm(initial=_initial_from_links(request))
    return render(request, "applications/consultation_form.html", {"form": form})


def consultation_confirm(request):
    form = _draft_form(request, check_timing=False)
    if form is None or not form.is_valid():
        # No draft (expired session), or a chosen bureau was unpublished since.
        if form is None:
            return redirect("applications:form")
        return redirect(reverse("applications:form") + "?edit=1")
    if request.method == "POST":
        token = request.session[DRAFT]["token"]
        if request.POST.get("token") != token:
            return redirect("applications:confirm")
        if not Inquiry.objects.filter(submission_token=token).exists() and not take_submission_slot(
            request
        ):
            return render(request, "applications/too_many_requests.html", status=429)
        submission = submit_inquiry(
            token=token,
            language=get_language()[:2],
            answers=form.inquiry_answers(),
            bureaus=form.cleaned_data["bureaus"],
            duties=form.cleaned_data["duties"].select_related("bureau"),
        )
        request.session[DONE] = submission.inquiry.pk
        request.session.pop(DRAFT, None)
        return redirect("applications:done")
    return render(
        request,
        "applications/consultation_confirm.html",
        {"form": form, "token": request.session[DRAFT]["token"], "concerns": form_concerns(form)},
    )


def form_concerns(form):
    """The restriction notes for the answers on the confirm page."""
    return restriction_notes(Inquiry(**form.inquiry_answers()).restriction_answers)


def consultation_done(request):
    inquiry_pk = request.session.get(DONE)
    inquiry = (
        Inquiry.objects.filter(pk=inquiry_pk).prefetch_related("bureaus").first()
        if inquiry_pk
        else None
    )
    if inquiry is None:
        return redirect("applications:form")
    return render(request, "applications/consultation_done.html", {"inquiry": inquiry})


# The stages as the applicant reads them, in the page's language.


@never_cache  # Cache-Control: no-store, private: the page is one applicant's.
def consultation_status(request, token):
    """The applicant's status page, reached only by the secret link in their mail.

    It shows the stage at each bureau, nothing staff wrote or who handles it. The
    token is looked up by exact match on a unique column, so a wrong one costs the
    same as any miss; a revoked link (token cleared) or an anonymised request is a 404.
    """
    inquiry = Inquiry.objects.filter(status_token=token, anonymised_at__isnull=True).first()
    if inquiry is None:
        raise Http404
    stages = [
        {"handler": route.handler_name, "label": route.get_status_display()}
        for route in inquiry.routes.select_related("bureau").order_by(
            "is_central", "bureau__order", "pk"
        )
    ]
    response = render(
        request, "applications/consultation_status.html", {"inquiry": inquiry, "stages": stages}
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    # No Referer with the token in it, not even to this site's own pages.
    response["Referrer-Policy"] = "no-referrer"
    return response


def statistics(request):
    """Request counts by bureau, industry and year; small groups merged or withheld."""
    minimum = settings.STATISTICS_MIN_COUNT
    context = {"minimum": minimum, **programme_statistics(minimum=minimum)}
    return briefly_cached(render(request, "applications/statistics.html", context))
