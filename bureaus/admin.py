"""Admin for HR staff: bureaus, their example duties and the themes that group them,
a bureau's merger into another, and the old addresses that answer 301."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from bureaus.models import Bureau, BureauStaff, Duty, Theme, attach_listed_themes
from bureaus.reorganisation import merge_bureau
from bureaus.slugs import new_duty_slug
from core import publishing
from core.admin import OfferedLookupsOnly, PublicationAdmin
from core.publication import State
from staffauth.roles import edits_every_listing, staff_name


def own_bureaus(user):
    """The bureaus ``user`` belongs to as bureau staff."""
    return Bureau.objects.filter(staff__user=user)


class DutyForm(forms.ModelForm):
    """A duty's form: a slug left blank is made from the English title or a short id."""

    class Meta:
        model = Duty
        # Admin names the fields it shows (its fieldsets); these are the ones clean() reads.
        fields = ["bureau", "slug", "title_ja", "title_en"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def clean(self):
        cleaned = super().clean()
        has_field = "slug" in self.fields  # not in the bureau page's list of duties
        if not (cleaned.get("slug") if has_field else self.instance.slug):
            bureau = cleaned.get("bureau") or (
                self.instance.bureau if self.instance.bureau_id else None
            )
            taken = set(bureau.duties.values_list("slug", flat=True)) if bureau else set()
            title_en = cleaned.get("title_en", self.instance.title_en)
            slug = new_duty_slug(title_en=title_en, taken=taken)
            # The instance is built from cleaned_data after clean(), and then checked
            # for uniqueness in its bureau.
            if has_field:
                cleaned["slug"] = slug
            else:
                self.instance.slug = slug
        return cleaned


class DutyInline(admin.TabularInline):
    """The bureau's duties in their order; each is written and approved on its own page."""

    model = Duty
    fields = ["order", "title_ja", "publication_state"]
    readonly_fields = ["title_ja", "publication_state"]
    extra = 0
    show_change_link = True
    ordering = ["order"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class MergeForm(forms.Form):
    """The bureau a bureau joins, and why."""

    into = forms.ModelChoiceField(
        label="統合先の局",
        queryset=Bureau.objects.none(),
        help_text="この局の業務内容例をすべてこの局に移します。承認済みの局から選べます。",
    )
    comment = forms.CharField(
        label="コメント（任意）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="掲載の手続きの履歴に、統合の記録と一緒に残ります（例: 令和9年4月1日の組織改正）。",
    )

    def __init__(self, *args, bureau, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Bureau.objects.filter(
            publication_state=State.APPROVED
        ).exclude(pk=bureau.pk)


@admin.register(Bureau)
class BureauAdmin(PublicationAdmin, OfferedLookupsOnly, admin.ModelAdmin):
    list_display = [
        "name_ja",
        "name_en",
        "contact_section_ja",
        "phone",
        "contact_email",
        "order",
        "publication_status",
    ]
    list_editable = ["order"]
    list_filter = ["publication_state"]
    search_fields = ["name_ja", "name_en", "contact_section_ja", "phone", "contact_email"]
    prepopulated_fields = {"slug": ["name_en"]}
    readonly_fields = ["publication_links"]
    fieldsets = [
        ("掲載", {"fields": ["publication_links"]}),
        ("局名", {"fields": [("name_ja", "name_en"), "slug"]}),
        (
            "お問合せ先",
            {"fields": [("contact_section_ja", "contact_section_en"), "phone", "contact_email"]},
        ),
        ("表示順", {"fields": ["order"]}),
    ]
    inlines = [DutyInline]
    preview_template = "bureaus/bureau_detail.html"

    def preview_context(self, request, item):
        duties = attach_listed_themes(item.duties.live_alone())
        return {**super().preview_context(request, item), "duties": duties}

    # Merging into another bureau (bureaus.reorganisation): a 承認者's act.

    def get_urls(self):
        merge = path(
            "<path:object_id>/merge/",
            self.admin_site.admin_view(self.merge_view),
            name="bureaus_bureau_merge",
        )
        return [merge, *super().get_urls()]

    def may_merge(self, request):
        return publishing.may_approve(request.user) and self.has_change_permission(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "may_merge": self.may_merge(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def merge_view(self, request, object_id):
        """「他の局に統合する」: the approver picks the bureau this one joins, sees what
        moves, and confirms."""
        if not self.may_merge(request):
            raise PermissionDenied
        try:
            bureau = Bureau._base_manager.get(pk=object_id)
        except (Bureau.DoesNotExist, ValueError, ValidationError) as error:
            raise Http404 from error
        form = MergeForm(request.POST or None, bureau=bureau)
        if request.method == "POST" and form.is_valid():
            into = form.cleaned_data["into"]
            try:
                moved = merge_bureau(
                    bureau=bureau, into=into, by=request.user, comment=form.cleaned_data["comment"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    f"{bureau}を{into}に統合しました（業務内容例 {len(moved)} 件を移しました）。",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:bureaus_bureau_change", args=[into.pk]))
        staff = bureau.staff.select_related("user").order_by("user__username")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"他の局に統合する: {bureau}",
            "bureau": bureau,
            "mergeable": bureau.publication_state == State.APPROVED,
            "form": form,
            "duties": bureau.duties.order_by("order", "slug"),
            "staff_names": [staff_name(member.user) for member in staff],
        }
        return TemplateResponse(request, "admin/bureaus/bureau/merge.html", context)


class ReviewDueFilter(admin.SimpleListFilter):
    """Duties whose bureau should confirm them again (settings.REVIEW_INTERVAL_MONTHS)."""

    title = "確認期限切れ"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", "確認期限切れ"), ("current", "期限内")]

    def queryset(self, request, queryset):
        due = Duty.objects.due_for_review(timezone.localdate())
        if self.value() == "due":
            return queryset.filter(pk__in=due.values("pk"))
        if self.value() == "current":
            return queryset.exclude(pk__in=due.values("pk"))
        return queryset


@admin.register(Duty)
class DutyAdmin(PublicationAdmin, OfferedLookupsOnly, admin.ModelAdmin):
    form = DutyForm
    list_display = [
        "title_ja",
        "bureau",
        "order",
        "publication_status",
        "confirmed_at",
        "review_state",
    ]
    list_editable = ["order"]
    list_filter = ["publication_state", ReviewDueFilter, "bureau", "themes"]
    actions = ["mark_confirmed_today"]
    # The confirmation date changes only through the action, so it always records
    # a deliberate confirmation, never a side effect of saving an edit.
    readonly_fields = [
        "publication_links",
        "confirmed_at",
        "first_published_at",
        "created_at",
        "updated_at",
    ]
    preview_template = "bureaus/duty_detail.html"
    list_select_related = ["bureau"]
    search_fields = ["title_ja", "title_en", "description_ja", "description_en", "bureau__name_ja"]
    autocomplete_fields = ["bureau"]
    filter_horizontal = ["themes"]
    prepopulated_fields = {"slug": ["title_en"]}
    fieldsets = [
        ("掲載", {"fields": ["publication_links"]}),
        (None, {"fields": ["bureau", "slug"]}),
        (
            "業務内容",
            {
                "fields": [
                    ("title_ja", "title_en"),
                    ("description_ja", "description_en"),
                    ("source_ja", "source_en"),
                ]
            },
        ),
        ("分類と表示順", {"fields": ["themes", "order"]}),
        (
            "確認と履歴",
            {"fields": ["confirmed_at", ("first_published_at", "created_at", "updated_at")]},
        ),
    ]

    @admin.display(description="内容の確認")
    def review_state(self, duty):
        # Words, not admin's ✓/✗ icons: a red ✗ for "nothing to do" read as an error.
        if duty.confirmed_at is None:
            return "要確認（局による確認がまだ）"
        if duty.is_due_for_review(timezone.localdate()):
            return "要確認（確認の期限切れ）"
        return "期限内"

    def get_readonly_fields(self, request, obj=None):
        # Once published, the duty's URL is out in links and print packs: keep it.
        if obj is not None and obj.first_published_at:
            return [*self.readonly_fields, "slug"]
        return self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.first_published_at:
            return {}
        return self.prepopulated_fields

    @admin.action(description="本日確認済みにする", permissions=["change"])
    def mark_confirmed_today(self, request, queryset):
        count = queryset.confirm(timezone.localdate())
        self.message_user(
            request, f"{count} 件の業務内容例を本日確認済みにしました。", messages.SUCCESS
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if edits_every_listing(request.user):
            return queryset
        # Bureau staff edit their own bureaus' duties only.
        return queryset.filter(bureau__staff__user=request.user)

    def has_add_permission(self, request):
        # Bureau staff add duties to their own bureaus: an account linked to none
        # would get a form whose 局 offers nothing.
        return super().has_add_permission(request) and (
            edits_every_listing(request.user) or request.user.bureau_memberships.exists()
        )

    def get_autocomplete_fields(self, request):
        # The search box asks BureauAdmin, which bureau staff may not read; they
        # choose among their own bureaus in a plain list instead.
        if edits_every_listing(request.user):
            return super().get_autocomplete_fields(request)
        return []

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "bureau" not in initial and not edits_every_listing(request.user):
            own = list(own_bureaus(request.user).values_list("pk", flat=True)[:2])
            if len(own) == 1:
                initial["bureau"] = own[0]
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "bureau" and not edits_every_listing(request.user):
            # A POST naming another bureau fails the field's own validation:
            # 「正しく選択してください。」 next to 局, and nothing is saved.
            kwargs["queryset"] = own_bureaus(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Theme)
class ThemeAdmin(PublicationAdmin, OfferedLookupsOnly, admin.ModelAdmin):
    list_display = ["name_ja", "name_en", "slug", "order", "publication_status"]
    list_editable = ["order"]
    list_filter = ["publication_state"]
    search_fields = ["name_ja", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    readonly_fields = ["publication_links"]
    fields = ["publication_links", ("name_ja", "name_en"), "slug", "order"]
    # A theme has no page of its own to preview: its name shows on duties' pages.


@admin.register(BureauStaff)
class BureauStaffAdmin(OfferedLookupsOnly, admin.ModelAdmin):
    list_display = ["bureau", "user"]
    list_filter = ["bureau"]
    list_select_related = ["bureau", "user"]
    search_fields = ["user__username", "user__email", "bureau__name_ja"]
    autocomplete_fields = ["user"]
