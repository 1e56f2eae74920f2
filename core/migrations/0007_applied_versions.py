"""Every version approved so far went onto its row when it was approved.

(The inquiry window, whose row the programme's migrations create, is approved in
portal 0014 with the programme's texts.)
"""

from django.db import migrations
from django.db.models import F


def date_applied_versions(apps, schema_editor):
    apps.get_model("core", "ContentVersion").objects.filter(state="approved").update(
        applied_at=F("reviewed_at")
    )


def forget(apps, schema_editor):
    apps.get_model("core", "ContentVersion").objects.update(applied_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_inquiry_window_publication_and_scheduled_versions"),
    ]

    operations = [
        migrations.RunPython(date_applied_versions, forget),
    ]
