"""Admin for the central inquiry window, which every page's footer shows; and admin's
yes/no icons, named in Japanese."""

from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.templatetags.static import static
from django.utils.html import format_html

from core.models import InquiryWindow


@admin.register(InquiryWindow)
class InquiryWindowAdmin(admin.ModelAdmin):
    list_display = ["name_ja", "phone", "contact_email", "website"]
    fields = [("name_ja", "name_en"), "phone", "contact_email", "website"]

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
