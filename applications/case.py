"""The case screen: one request, each route the viewer may see, and what they may do.

It is the request's page in admin (InquiryAdmin's change view): the applicant's
answers, then each route (a bureau's handling, or the central window's) with its
status, assignee, reply-by date and notes, and a form for each route the viewer
may handle, then, for HR only, the mails sent about the request. Bureau staff
see only their own bureaus' routes; the central window's is HR's.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from applications.handling import update_route
from applications.models import AccessAction, InquiryRoute, InternalNote
from applications.privacy import record_access
from applications.workflow import RouteStatus, allowed_transitions
from staffauth.roles import HR_GROUP, sees_every_request, staff_name


def assignable_staff(route):
    """Who may take ``route`` on: its bureau's staff and HR (HR alone for the central
    window's), active staff accounts; the present assignee stays a choice."""
    members = Q(groups__name=HR_GROUP)
    if route.bureau_id:
        members |= Q(bureau_memberships__bureau=route.bureau_id)
    eligible = Q(is_active=True, is_staff=True) & members
    if route.assignee_id:
        eligible |= Q(pk=route.assignee_id)
    return (
        get_user_model()
        .objects.filter(eligible)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return staff_name(obj)


class RouteActionForm(forms.Form):
    """What a clerk may do to one route: move it on, assign it, date it, annotate it."""

    status = forms.ChoiceField(label="状況")
    assignee = StaffChoiceField(
        label="担当者", queryset=None, required=False, empty_label="（担当者なし）"
    )
    reply_by = forms.DateField(
        label="回答期限",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="開庁日（土日・祝日・年末年始を除く日）で数えて決めた日です。変えるときは日付を選んでください。",
    )
    note = forms.CharField(
        label="内部メモを追加",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="申込者には送られず、見えません。保存したメモは後から直せません。",
    )

    def __init__(self, data=None, *, route, writes_notes):
        super().__init__(
            data,
            prefix=f"route-{route.pk}",
            initial={
                "status": route.status,
                "assignee": route.assignee_id,
                "reply_by": route.reply_by,
            },
        )
        self.route = route
        allowed = {route.status, *allowed_transitions(route.status)}
        self.fields["status"].choices = [
            (value, f"{label}（今の状況）" if value == route.status else label)
            for value, label in RouteStatus.choices
            if value in allowed
        ]
        self.fields["assignee"].queryset = assignable_staff(route)
        if not writes_notes:
            del self.fields["note"]

    def clean_status(self):
        status = self.cleaned_data["status"]
        current = self.route.status
        if status != current and status not in allowed_transitions(current):
            raise forms.ValidationError(
                f"「{RouteStatus(current).label}」から「{RouteStatus(status).label}」には変更できません。"
            )
        return status


def request_sections(model_admin, request, inquiry):
    """The applicant's answers as (heading, [(label, text)]), in the admin's fieldsets."""
    sections = []
    for heading, options in model_admin.get_fieldsets(request, inquiry):
        rows = [
            (inquiry._meta.get_field(name).verbose_name, answer_text(inquiry, name))
            for name in options["fields"]
        ]
        sections.append((heading or "受付", rows))
    return sections


def answer_text(inquiry, name):
    """One answer as a clerk reads it: choices by their label, dates in Japanese."""
    value = getattr(inquiry, name)
    if name == "desired_start":
        return date_format(value, "YEAR_MONTH_FORMAT")  # 2027年4月: a month, not a day
    if name == "desired_months":
        return f"{value} か月"
    if name == "bureaus":
        return "、".join(bureau.name_ja for bureau in value.all()) or "（指定なし）"
    if name == "duties":
        return "\n".join(
            f"{duty.bureau.name_ja}：{duty.title_ja}" for duty in value.select_related("bureau")
        )
    if hasattr(inquiry, f"get_{name}_display"):
        return getattr(inquiry, f"get_{name}_display")()
    if hasattr(value, "tzinfo"):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return value


def case_view(model_admin, request, object_id):
    """The request's page in admin; a POST saves one route's form (then redirects)."""
    inquiry = model_admin.get_object(request, unquote(object_id))
    if not model_admin.has_view_or_change_permission(request, inquiry):
        raise PermissionDenied
    if inquiry is None:
        # The request does not exist or is not routed to the viewer's bureaus: the
        # same answer for both, as for any admin page.
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    user = request.user
    routes = list(
        InquiryRoute.objects.visible_to(user)
        .filter(inquiry=inquiry)
        .select_related("bureau", "assignee")
        .prefetch_related(Prefetch("notes", queryset=InternalNote.objects.select_related("author")))
        .order_by("is_central", "bureau__order", "pk")
    )
    handles = user.has_perm("applications.change_inquiryroute")
    writes_notes = user.has_perm("applications.add_internalnote")
    forms_by_route = {
        route.pk: RouteActionForm(route=route, writes_notes=writes_notes) if handles else None
        for route in routes
    }

    if request.method == "POST":
        if not handles:
            raise PermissionDenied
        chosen = next((r for r in routes if str(r.pk) == request.POST.get("route")), None)
        if chosen is None:
            raise Http404  # Another request's route, or one the viewer may not see.
        form = RouteActionForm(request.POST, route=chosen, writes_notes=writes_notes)
        if form.is_valid():
            try:
                update_route(route=chosen, user=user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error("status", error)
            else:
                messages.success(request, f"{chosen.handler_name_ja}の対応を保存しました。")
                return redirect(f"{request.path}#route-{chosen.pk}")
        forms_by_route[chosen.pk] = form

    sees_mail = sees_every_request(user)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"{inquiry.reference} {inquiry.company_name}",
        "subtitle": None,
        "inquiry": inquiry,
        "sections": request_sections(model_admin, request, inquiry),
        "cases": [
            {
                "route": route,
                "assignee": staff_name(route.assignee) if route.assignee else "",
                "is_overdue": bool(
                    route.reply_by and not route.is_closed and route.reply_by < timezone.localdate()
                ),
                "notes": [(staff_name(note.author), note) for note in route.notes.all()],
                "form": forms_by_route[route.pk],
            }
            for route in routes
        ],
        "notifications": list(inquiry.notifications.order_by("created_at", "pk"))
        if sees_mail
        else None,
        "mail_list_url": f"{reverse('admin:applications_notification_changelist')}?q={inquiry.reference}",
    }
    response = TemplateResponse(request, "admin/applications/inquiry/case.html", context)
    if request.method == "GET":
        record_access(inquiry_id=inquiry.pk, user=user, action=AccessAction.VIEW)
    return response
