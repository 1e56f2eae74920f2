"""What every admin shares: only the lookups a page offers, yes/no icons named in
Japanese, and the publication workflow's pages (drafts, review, preview, history)."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.templatetags import admin_list
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html

from core import publishing
from core.models import ContentVersion
from core.publication import State

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class OfferedLookupsOnly:
    """A ModelAdmin mixin: its change list takes only the lookups its own page offers
    (the list filters, the date hierarchy, and ``offered_lookups`` for links it makes).

    Django lets a change list's address filter by any lookup on the model's own
    fields, shown or not: ``?status_token__startswith=a`` would let staff guess a
    secret they may never see, one character at a time.
    """

    offered_lookups = ()
    FIELD_LOOKUPS = ("", "__exact", "__isnull", "__id__exact", "__gte", "__lt")
    DATE_LOOKUPS = ("__year", "__month", "__day", "__gte", "__lt")

    def lookup_allowed(self, lookup, value, request):
        if lookup in self.offered_lookups or lookup in self.offered_filter_lookups(request):
            return super().lookup_allowed(lookup, value, request)
        return False

    def offered_filter_lookups(self, request):
        offered = set()
        for item in self.get_list_filter(request):
            if isinstance(item, type):  # A SimpleListFilter with its own parameter.
                offered.add(item.parameter_name)
                continue
            name = item[0] if isinstance(item, (list, tuple)) else item
            offered.update(f"{name}{suffix}" for suffix in self.FIELD_LOOKUPS)
        if self.date_hierarchy:
            offered.update(f"{self.date_hierarchy}{suffix}" for suffix in self.DATE_LOOKUPS)
        return offered


ICON_NAMES = {True: ("yes", "はい"), False: ("no", "いいえ"), None: ("unknown", "不明")}


def boolean_icon(value):
    """Admin's yes/no icon with its text alternative in Japanese.

    Django writes the value itself as the icon's alt text ("True", "False"), which
    screen readers read out in English and no catalogue can translate. Every caller
    (lists, read-only fields) looks the function up in admin_list when it draws an
    icon, so replacing it there is enough; tests/test_admin_japanese.py reads the
    pages and would find "True" again if that changed.
    """
    name, text = ICON_NAMES[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), text)


admin_list._boolean_icon = boolean_icon


# --- Publication: drafts, review, approval, preview, history (core.publishing). -------


class ApprovalForm(forms.Form):
    """What a 承認者 decides with an approval: when the version goes live and ends."""

    publish_starts_at = forms.DateTimeField(
        label="公開開始日時",
        required=False,
        input_formats=[DATETIME_LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="空欄なら承認した時から公開します。",
    )
    publish_ends_at = forms.DateTimeField(
        label="公開終了日時",
        required=False,
        input_formats=[DATETIME_LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="空欄なら終了の予定はありません。この日時にサイトから外れます。",
    )
    comment = forms.CharField(
        label="コメント", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label="コメント", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def describe(field, value):
    """A version's value of ``field`` as a clerk reads it."""
    if value in (None, "", []):
        return "（なし）"
    if field.many_to_many:
        names = field.related_model._base_manager.filter(pk__in=value)
        return "、".join(str(item) for item in names) or "（なし）"
    if field.is_relation:
        found = field.related_model._base_manager.filter(pk=value).first()
        return str(found) if found else str(value)
    return str(value)


def differences(model, before, after):
    """(field label, before, after) for each versioned field that differs."""
    return [
        (
            field.verbose_name,
            describe(field, before.get(field.name)),
            describe(field, after.get(field.name)),
        )
        for field in publishing.versioned_fields(model)
        if before.get(field.name) != after.get(field.name)
    ]


class PublicationAdmin:
    """A ModelAdmin mixin for Publishable content: a save keeps a draft, the item's
    「掲載の手続き」 page asks for review, approves with a schedule, sends back,
    withdraws and lists every version with its differences, and the preview shows
    the draft in the public template, in Japanese and English, to staff only.

    ``preview_template`` is the public template; ``preview_context`` its context.
    """

    preview_template = None
    publication_fields = ["publication_status"]
    # Whether an approver may take the item off the site (not the one central window).
    may_withdraw = True

    def preview_context(self, request, item):
        return {"object": item, type(item)._meta.model_name: item}

    def get_preview_template(self, item):
        """The public template that shows ``item`` (one page for most kinds)."""
        return self.preview_template

    # The list and the form.

    def get_queryset(self, request):
        content_type = ContentType.objects.get_for_model(self.model)
        drafts = ContentVersion.objects.open().filter(
            content_type=content_type, object_id=OuterRef("pk")
        )
        scheduled = ContentVersion.objects.scheduled().filter(
            content_type=content_type, object_id=OuterRef("pk")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_version_state=Subquery(drafts.values("state")[:1]),
                scheduled_change_at=Subquery(scheduled.values("publish_starts_at")[:1]),
            )
        )

    @admin.display(description="掲載状態")
    def publication_status(self, item):
        return publication_status(
            item,
            getattr(item, "open_version_state", None),
            getattr(item, "scheduled_change_at", None),
        )

    @admin.display(description="掲載の手続き")
    def publication_links(self, item):
        if item is None or item.pk is None:
            return "保存すると下書きになり、承認されるまでサイトには表示されません。"
        base = reverse(
            f"admin:{item._meta.app_label}_{item._meta.model_name}_publication", args=[item.pk]
        )
        status = self.publication_status(item)
        links = format_html('{}<br><a href="{}">掲載の手続き・履歴</a>', status, base)
        if self.preview_template is None:
            return links
        previews = [
            reverse(
                f"admin:{item._meta.app_label}_{item._meta.model_name}_preview",
                args=[item.pk, language],
            )
            for language in ("ja", "en")
        ]
        return format_html(
            '{} ／ <a href="{}">プレビュー（日本語）</a> ／ <a href="{}">プレビュー（英語）</a>',
            links,
            *previews,
        )

    def has_delete_permission(self, request, obj=None):
        # An item that was public leaves the site by withdrawal, which an approver
        # decides and which keeps its address answering 410; deleting it would skip
        # both. Drafts never published may be deleted by their editors.
        if obj is not None and obj.first_published_at is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        # The bulk delete would skip the check above for every selected item.
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def get_object(self, request, object_id, from_field=None):
        """The item as its editors see it: the open draft over the live row."""
        item = super().get_object(request, object_id, from_field)
        if item is not None:
            with_draft(item)
        return item

    def save_model(self, request, obj, form, change):
        if change and obj.was_ever_approved():
            # The live row stays as approved: the change waits as a draft.
            live = type(obj)._base_manager.get(pk=obj.pk)
            version = publishing.open_version(live)
            base = version.data if version else publishing.snapshot(live)
            data = publishing.form_snapshot(type(obj), form.cleaned_data, base)
            publishing.save_draft(item=live, data=data, author=request.user)
            if getattr(obj, "order", None) != getattr(live, "order", None):
                live.order = obj.order
                live.save(update_fields=["order"])
            obj._kept_as_draft = True
            self.message_user(
                request,
                "変更を下書きとして保存しました。サイトには承認されてから表示されます"
                "（「掲載の手続き・履歴」から承認を依頼してください）。",
                messages.INFO,
            )
            return
        if not change and hasattr(obj, "end_of_order"):
            obj.order = obj.end_of_order()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if getattr(form.instance, "_kept_as_draft", False):
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)
            return
        super().save_related(request, form, formsets, change)
        item = form.instance
        publishing.save_draft(item=item, data=publishing.snapshot(item), author=request.user)

    # The publication page and the preview.

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        urls = [
            path(
                "<path:object_id>/publication/",
                self.admin_site.admin_view(self.publication_view),
                name="{}_{}_publication".format(*info),
            )
        ]
        if self.preview_template is not None:
            urls.append(
                path(
                    "<path:object_id>/preview/<str:language>/",
                    self.admin_site.admin_view(self.preview_view),
                    name="{}_{}_preview".format(*info),
                )
            )
        return [*urls, *super().get_urls()]

    def reachable_item(self, request, object_id):
        """The live row, if this account may see it (bureau staff: their own only)."""
        try:
            object_id = self.model._meta.pk.to_python(object_id)
        except ValidationError as error:  # An id that is no id ("abc"): no such item.
            raise Http404 from error
        item = self.get_queryset(request).filter(pk=object_id).first()
        if item is None or not self.has_view_or_change_permission(request, item):
            raise Http404
        return item

    def publication_view(self, request, object_id):
        item = self.reachable_item(request, object_id)
        version = publishing.open_version(item)
        if request.method == "POST":
            self.act(request, item, version)
            return HttpResponseRedirect(request.path)
        live = publishing.snapshot(item)
        history = list(
            ContentVersion.objects.of(item)
            .exclude(state__in=[State.DRAFT, State.IN_REVIEW])
            .select_related("author", "reviewer")
            .prefetch_related("editors")
            .order_by("created_at", "pk")
        )
        previous = {}
        for entry in history:
            entry.differences = differences(self.model, previous, entry.data)
            previous = entry.data
        may_approve = publishing.may_approve(request.user)
        wrote_it = version is not None and version.editors.filter(pk=request.user.pk).exists()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"掲載の手続き: {item}",
            "item": item,
            "status": publication_status(
                item,
                version.state if version else None,
                getattr(item, "scheduled_change_at", None),
            ),
            "version": version,
            "editors": list(version.editors.all()) if version else [],
            "draft_differences": differences(self.model, live, version.data) if version else [],
            "may_edit": self.has_change_permission(request, item),
            "may_approve": may_approve,
            "wrote_it": wrote_it,
            "approval_form": ApprovalForm(),
            "comment_form": CommentForm(),
            "history": list(reversed(history)),
            "is_approved": item.publication_state == State.APPROVED,
            "may_withdraw": self.may_withdraw,
            "scheduled": list(
                ContentVersion.objects.of(item).scheduled().select_related("reviewer")
            ),
            "has_preview": self.preview_template is not None,
        }
        return TemplateResponse(request, "admin/core/publication.html", context)

    def act(self, request, item, version):
        """One step of the workflow from the publication page's buttons."""
        action = request.POST.get("action")
        try:
            if action == "ask" and version and self.has_change_permission(request, item):
                publishing.ask_for_review(version=version, by=request.user)
                self.message_user(request, "承認を依頼しました。", messages.SUCCESS)
            elif action == "approve" and version:
                form = ApprovalForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("公開開始日時・公開終了日時を確かめてください。")
                publishing.approve(
                    version=version,
                    by=request.user,
                    starts_at=form.cleaned_data["publish_starts_at"],
                    ends_at=form.cleaned_data["publish_ends_at"],
                    comment=form.cleaned_data["comment"],
                )
                self.message_user(request, "承認しました。", messages.SUCCESS)
            elif action == "send_back" and version:
                publishing.send_back(
                    version=version, by=request.user, comment=request.POST.get("comment", "")
                )
                self.message_user(request, "差し戻しました。", messages.SUCCESS)
            elif action == "withdraw" and self.may_withdraw:
                publishing.withdraw(
                    item=item, by=request.user, comment=request.POST.get("comment", "")
                )
                self.message_user(request, "掲載を終了しました。", messages.SUCCESS)
            elif action == "restore" and self.has_change_permission(request, item):
                earlier = ContentVersion.objects.of(item).get(pk=request.POST.get("version"))
                publishing.restore(version=earlier, by=request.user)
                self.message_user(request, "選んだ版の内容で下書きを作りました。", messages.SUCCESS)
            else:
                raise PermissionDenied
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        except ContentVersion.DoesNotExist as error:
            raise Http404 from error

    def preview_view(self, request, object_id, language):
        """The public page of the item with its open draft, exactly as the site would
        show it; never stored, never indexed."""
        if language not in dict(settings.LANGUAGES):
            raise Http404
        item = with_draft(self.reachable_item(request, object_id))
        with translation.override(language):
            context = {
                **self.preview_context(request, item),
                # The page's language switcher leads to the other preview, not to
                # the public page (which does not show the draft).
                "language_links": preview_language_links(item, language),
            }
            response = render(request, self.get_preview_template(item), context)
        response["X-Robots-Tag"] = "noindex, nofollow"
        add_never_cache_headers(response)
        return response


def preview_language_links(item, current):
    """The language switcher's links of a preview: the same preview in each language."""
    return [
        {
            "code": code,
            "name": name,
            "url": reverse(
                f"admin:{item._meta.app_label}_{item._meta.model_name}_preview",
                args=[item.pk, code],
            ),
            "is_current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]


def with_draft(item):
    """``item`` with its open draft's content set over the row's (in memory only)."""
    version = publishing.open_version(item)
    if version is not None:
        related = publishing.apply_data(item, version.data)
        for name, ids in related.items():
            field = item._meta.get_field(name)
            chosen = field.related_model._base_manager.filter(pk__in=ids)
            list(chosen)  # evaluated once: the form and the page read it
            item.__dict__.setdefault("_prefetched_objects_cache", {})[name] = chosen
    return item


def publication_status(item, open_state, scheduled_change_at=None):
    """The item's state in words for the lists: on the site or not, any draft, and the
    moment an approved change replaces the live content."""
    now = timezone.now()
    if item.publication_state == State.DRAFT:
        words = "下書き（未公開）" if open_state != State.IN_REVIEW else "承認待ち（未公開）"
        return words
    if item.publication_state == State.WITHDRAWN:
        words = "掲載終了"
    elif item.is_live(now):
        words = "掲載中"
        if item.publish_ends_at:
            words += f"（{timezone.localtime(item.publish_ends_at):%Y-%m-%d %H:%M} まで）"
    elif item.publish_starts_at and item.publish_starts_at > now:
        words = f"公開予定（{timezone.localtime(item.publish_starts_at):%Y-%m-%d %H:%M} から）"
    else:
        words = "掲載終了（公開終了日時を過ぎました）"
    if scheduled_change_at is not None:
        words += f"・変更を{timezone.localtime(scheduled_change_at):%Y-%m-%d %H:%M}に公開予定"
    if open_state == State.DRAFT:
        words += "・変更の下書きあり"
    elif open_state == State.IN_REVIEW:
        words += "・変更の承認待ち"
    return words
