"""Admin for the central inquiry window, which every page's footer shows."""

from django.contrib import admin

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
