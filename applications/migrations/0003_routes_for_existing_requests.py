"""Give every request received before per-bureau handling one route per chosen bureau."""

from django.db import migrations


def create_routes(apps, schema_editor):
    Inquiry = apps.get_model("applications", "Inquiry")
    InquiryRoute = apps.get_model("applications", "InquiryRoute")
    for inquiry in Inquiry.objects.prefetch_related("bureaus"):
        for bureau in inquiry.bureaus.all():
            InquiryRoute.objects.get_or_create(inquiry=inquiry, bureau=bureau)


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_back_office")]

    operations = [migrations.RunPython(create_routes, migrations.RunPython.noop)]
