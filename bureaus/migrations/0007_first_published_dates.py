"""Record when each existing duty was first published, so that its slug, already in
public links, is kept from now on: the first history row that shows it published,
else (a duty published before its history began) its creation."""

from django.db import migrations
from django.db.models import Min


def fill_first_published_at(apps, schema_editor):
    Duty = apps.get_model("bureaus", "Duty")
    HistoricalDuty = apps.get_model("bureaus", "HistoricalDuty")
    first_seen = dict(
        HistoricalDuty.objects.filter(is_published=True)
        .values("id")
        .annotate(first=Min("history_date"))
        .values_list("id", "first")
    )
    for duty in Duty.objects.filter(first_published_at__isnull=True):
        when = first_seen.get(duty.pk) or (duty.created_at if duty.is_published else None)
        if when is not None:
            Duty.objects.filter(pk=duty.pk).update(first_published_at=when)


class Migration(migrations.Migration):
    dependencies = [("bureaus", "0006_duty_slug_and_history_names")]

    operations = [migrations.RunPython(fill_first_published_at, migrations.RunPython.noop)]
