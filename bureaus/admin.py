"""Admin for HR staff: bureaus, their example duties and the themes that group them,
a bureau's merger into another, and the old addresses that answer 301."""

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import slug_re
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from bureaus.models import Bureau, BureauStaff, Duty, Theme, attach_listed_themes
from bureaus.reorganisation import merge_bureau
from bureaus.slugs import new_duty_slug
from core import publishing
from core.admin import OfferedLookupsOnly, PublicationAdmin
from core.models import FormerAddress
from core.publication import State, Visibility
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
        help_text="統合する局の業務内容例をすべて、選んだ局に移します。承認済みの局から選べます。",
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


# --- Old addresses (core.models.FormerAddress): only bureaus' and duties' pages move. ----

# The kinds of address that can move: (model, its name on screen).
ADDRESS_KINDS = {"bureau": (Bureau, "局"), "duty": (Duty, "業務内容例")}


def address_kind(content_type):
    """The ADDRESS_KINDS key of a content type, or None."""
    return content_type.model if content_type.app_label == "bureaus" else None


def old_address(kind, key):
    """The public path (Japanese) a key stood for, or None if it names none."""
    try:
        if kind == "bureau":
            return reverse("bureaus:detail", kwargs={"slug": key})
        if kind == "duty":
            bureau_slug, slug = Duty.parse_catalogue_id(key)
            return reverse("bureaus:duty", kwargs={"bureau_slug": bureau_slug, "slug": slug})
    except (NoReverseMatch, TypeError):
        return None
    return None


def item_name(item):
    if isinstance(item, Duty):
        return f"{item.bureau.name_ja}：{item.title_ja}"
    return str(item)


class AddressKindFilter(admin.SimpleListFilter):
    title = "種類"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind, name) for kind, (_model, name) in ADDRESS_KINDS.items()]

    def queryset(self, request, queryset):
        if self.value() in ADDRESS_KINDS:
            model = ADDRESS_KINDS[self.value()][0]
            return queryset.filter(content_type=ContentType.objects.get_for_model(model))
        return queryset


class DutyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return item_name(obj)


class FormerAddressForm(forms.ModelForm):
    """An old address added by hand: its kind, its key (or the old URL pasted), and
    the existing item it now leads to."""

    kind = forms.ChoiceField(
        label="種類",
        choices=[(kind, name) for kind, (_model, name) in ADDRESS_KINDS.items()],
        help_text="転送するのが局のページか、業務のページか。",
    )
    bureau = forms.ModelChoiceField(
        label="移転先の局",
        queryset=Bureau.objects.order_by("order", "slug"),
        required=False,
        help_text="種類が「局」のとき選びます。",
    )
    duty = DutyChoiceField(
        label="移転先の業務内容例",
        queryset=Duty.objects.select_related("bureau"),
        required=False,
        help_text="種類が「業務内容例」のとき選びます。",
    )

    class Meta:
        model = FormerAddress
        fields = ["key"]
        help_texts = {
            "key": "局は局の URL 用の名前、業務内容例は「局の URL 用の名前/業務の URL 用の名前」。"
            "以前の URL をそのまま貼り付けても構いません。"
        }

    def clean_key(self):
        key = self.cleaned_data["key"].strip()
        # A pasted URL (either language, with or without the site's address).
        if "/bureaus/" in key:
            key = key.split("/bureaus/", 1)[1]
        return key.strip("/")

    def clean(self):
        cleaned = super().clean()
        kind, key = cleaned.get("kind"), cleaned.get("key")
        if kind not in ADDRESS_KINDS or not key:
            return cleaned
        target = cleaned.get(kind)
        if target is None:
            self.add_error(kind, "移転先を選んでください。")
        if kind == "bureau" and not slug_re.fullmatch(key):
            self.add_error(
                "key", "局の URL 用の名前は、半角英小文字・数字・ハイフンで書いてください。"
            )
            return cleaned
        if kind == "duty" and Duty.parse_catalogue_id(key) is None:
            self.add_error(
                "key", "業務内容例は「局の URL 用の名前/業務の URL 用の名前」の形で書いてください。"
            )
            return cleaned
        live = self.live_holder(kind, key)
        if live is not None:
            self.add_error(
                "key",
                f"この URL は今も掲載中の「{item_name(live)}」のページです。"
                "掲載中のページは転送されないため、登録できません。",
            )
            return cleaned
        model = ADDRESS_KINDS[kind][0]
        content_type = ContentType.objects.get_for_model(model)
        if FormerAddress.objects.filter(content_type=content_type, key=key).exists():
            self.add_error(
                "key",
                "この以前の URL はすでに登録されています。移転先を変えるときは、"
                "登録済みのものを削除してから登録してください。",
            )
        elif target is not None:
            if target.public_addresses()[0][1] == key:
                self.add_error("key", "移転先の今の URL と同じです。")
            self.instance.content_type, self.instance.object_id = content_type, target.pk
        return cleaned

    @staticmethod
    def live_holder(kind, key):
        """The live item whose page is at ``key`` now, or None."""
        if kind == "bureau":
            return Bureau.objects.live().filter(slug=key).first()
        bureau_slug, slug = Duty.parse_catalogue_id(key)
        live = Duty.objects.live().filter(bureau__slug=bureau_slug, slug=slug)
        return live.select_related("bureau").first()


@admin.register(FormerAddress)
class FormerAddressAdmin(OfferedLookupsOnly, admin.ModelAdmin):
    """Every recorded old address of a bureau's or a duty's page, and where it leads.

    Rows are recorded by the workflows (a renamed bureau, a moved duty, a merger);
    HR deletes a wrong one and adds a missing one. A row is not edited: a changed
    target is a new record.
    """

    list_display = ["key", "kind_name", "old_url", "target", "recorded_at"]
    list_filter = [AddressKindFilter]
    search_fields = ["key"]
    search_help_text = "以前の URL 用の名前の一部で探せます。"
    add_fieldsets = [
        (None, {"fields": ["kind", "key"]}),
        (
            "移転先",
            {
                "fields": ["bureau", "duty"],
                "description": "種類に合わせて、どちらか一方を選んでください。"
                "移転先が掲載中のあいだ、以前の URL はそのページに転送されます。",
            },
        ),
    ]
    shown_fields = ["kind_name", "key", "old_url", "target", "recorded_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("content_type")
            .prefetch_related(
                GenericPrefetch(
                    "item", [Bureau.objects.all(), Duty.objects.select_related("bureau")]
                )
            )
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return [(None, {"fields": self.shown_fields})]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.shown_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = FormerAddressForm
        return super().get_form(request, obj, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="種類", ordering="content_type__model")
    def kind_name(self, former):
        kind = address_kind(former.content_type)
        return ADDRESS_KINDS[kind][1] if kind in ADDRESS_KINDS else former.content_type.name

    @admin.display(description="以前の URL")
    def old_url(self, former):
        url = old_address(address_kind(former.content_type), former.key)
        return format_html('<a href="{}">{}</a>', url, url) if url else "（URL になりません）"

    @admin.display(description="移転先")
    def target(self, former):
        item = former.item
        if item is None:
            return "（見つかりません。削除された項目です）"
        url = item.get_absolute_url()
        note = (
            ""
            if item.visibility() == Visibility.LIVE
            else "（掲載中ではないため、今は転送されません）"
        )
        return format_html('{}<br><a href="{}">{}</a>{}', item_name(item), url, url, note)
