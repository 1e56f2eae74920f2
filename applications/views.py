"""The pre-consultation steps (input, confirm, done: each POST redirects), the applicant's
status page, and the public statistics of requests."""

from django.conf import settings
from django.db.models import Max
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from applications.drafts import Draft, DraftTooLarge
from applications.forms import ConsultationForm
from applications.intake import bureaus_of_request, restriction_notes, submit_inquiry
from applications.models import Inquiry
from applications.statistics import programme_statistics
from applications.throttle import take_draft_slot, take_submission_slot
from bureaus.models import Bureau, Duty
from core.pages import briefly_cached
from portal.shortlist import MAX_DUTIES


def visitor_binding(request):
    """What ties the form's fill-time token to this visitor's browser session: its CSRF
    secret, so a token copied from one session is refused in another, with no session
    row written per visit. The form page sets the secret; a POST carries it (or is
    refused by the CSRF check before it gets here)."""
    if request.method == "GET":
        get_token(request)
    return request.META.get("CSRF_COOKIE", "")


def _initial_from_links(request):
    """Pre-select the bureau a catalogue page linked from, and the duties: one from a
    duty page, or every duty of the visitor's shortlist (``?duty=a/b&duty=c/d``)."""
    initial = {}
    if slug := request.GET.get("bureau"):
        initial["bureaus"] = list(Bureau.objects.live().filter(slug=slug))
    if paths := request.GET.getlist("duty"):
        initial["duties"] = list(Duty.objects.live().identified_by(paths[:MAX_DUTIES]))
    return initial


def too_many_requests(request):
    """The 429 page; the visitor's draft stays as it was."""
    return render(request, "applications/too_many_requests.html", status=429)


def consultation_form(request):
    draft = Draft(request.session)
    if request.method == "POST":
        if not take_draft_slot(request):
            return too_many_requests(request)
        form = ConsultationForm(request.POST, visitor=visitor_binding(request))
        if form.is_valid():
            try:
                draft.keep(form)
            except DraftTooLarge:
                form.add_error(None, _("入力内容が長すぎるため、保存できませんでした。"))
            else:
                return redirect("applications:confirm")
    elif "edit" in request.GET and (form := draft.form(ConsultationForm, check_timing=False)):
        form.full_clean()
    else:
        form = ConsultationForm(
            initial=_initial_from_links(request), visitor=visitor_binding(request)
        )
    response = render(request, "applications/consultation_form.html", {"form": form})
    if form.is_bound:
        # The applicant's own answers (an error, or the draft to edit): no cache may
        # keep them. The empty form stays cacheable by the browser alone (Vary:
        # Cookie), so its Back button returns to what was typed.
        add_never_cache_headers(response)
    return response


@never_cache  # One applicant's answers: no browser, proxy or CDN may keep them.
def consultation_confirm(request):
    draft = Draft(request.session)
    posted_digest = request.POST.get("draft", "") if request.method == "POST" else None
    if posted_digest and draft.done_inquiry_pk(posted_digest) is not None:
        # A second click on the button that already sent this request.
        return redirect("applications:done")
    form = draft.form(ConsultationForm, check_timing=False)
    if form is None:  # No draft: an expired session, or nothing typed yet.
        return redirect("applications:form")
    if not form.is_valid():  # A chosen bureau or duty was unpublished since.
        return redirect(reverse("applications:form") + "?edit=1")
    digest = draft.digest()
    if posted_digest == digest:
        token = draft.token
        if not Inquiry.objects.filter(submission_token=token).exists() and not take_submission_slot(
            request
        ):
            return too_many_requests(request)
        submission = submit_inquiry(
            token=token,
            language=get_language()[:2],
            answers=form.inquiry_answers(),
            bureaus=form.cleaned_data["bureaus"],
            duties=form.cleaned_data["duties"].select_related("bureau"),
        )
        draft.finish(submission.inquiry, digest)
        return redirect("applications:done")
    return render(
        request,
        "applications/consultation_confirm.html",
        {
            "form": form,
            "draft_digest": digest,
            # Posted from a page that showed other answers (another tab changed them).
            "draft_changed": posted_digest is not None,
            "concerns": form_concerns(form),
            "recipient_bureaus": bureaus_of_request(
                form.cleaned_data["bureaus"], form.cleaned_data["duties"].select_related("bureau")
            ),
        },
    )


def form_concerns(form):
    """The restriction notes for the answers on the confirm page."""
    return restriction_notes(Inquiry(**form.inquiry_answers()).restriction_answers)


@never_cache
def consultation_done(request):
    inquiry_pk = Draft(request.session).done_inquiry_pk()
    inquiry = (
        Inquiry.objects.filter(pk=inquiry_pk)
        .annotate(reply_by=Max("routes__reply_by"))
        .prefetch_related("bureaus")
        .first()
        if inquiry_pk
        else None
    )
    if inquiry is None:
        return redirect("applications:form")
    return render(
        request,
        "applications/consultation_done.html",
        {"inquiry": inquiry, "reply_days": settings.INQUIRY_REPLY_BUSINESS_DAYS},
    )


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
