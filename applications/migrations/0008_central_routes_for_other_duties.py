"""Give every request that has no route (it named no bureau: other duties only) the
central window's route, so that HR can handle and close it and the retention purge
reaches it in time.

The route keeps no reply-by date: these requests were received before the central
window had routes, and a date set now would send HR one overdue reminder for each
of them at the next run of remind_overdue. HR sets a date on the case screen.
"""

from django.db import migrations


def create_central_routes(apps, schema_editor):
    Inquiry = apps.get_model("applications", "Inquiry")
    InquiryRoute = apps.get_model("applications", "InquiryRoute")
    without_route = Inquiry.objects.filter(routes__isnull=True).values_list("pk", flat=True)
    InquiryRoute.objects.bulk_create(
        InquiryRoute(inquiry_id=pk, is_central=True, bureau=None) for pk in without_route
    )


def remove_central_routes(apps, schema_editor):
    apps.get_model("applications", "InquiryRoute").objects.filter(is_central=True).delete()


class Migration(migrations.Migration):
    dependencies = [("applications", "0007_central_window_route")]

    operations = [migrations.RunPython(create_central_routes, remove_central_routes)]
