"""Admin for the central inquiry window (every page's footer), and what every admin
shares: only the lookups a page offers, and yes/no icons named in Japanese."""

from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.templatetags.static import static
from django.utils.html import format_html

from core.models import InquiryWindow


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


@admin.register(InquiryWindow)
class InquiryWindowAdmin(OfferedLookupsOnly, admin.ModelAdmin):
    list_display = ["name_ja", "phone", "contact_email", "website"]
    fields = [("name_ja", "name_en"), "phone", "contact_email", ("website", "website_in_english")]

    def has_add_permission(self, request):
        # There is one central window; the database refuses a second row.
        return not InquiryWindow.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


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
