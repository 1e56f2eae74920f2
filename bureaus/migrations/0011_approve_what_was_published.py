"""Everything on the site until now stays on it, approved and live; what was hidden is
a draft (or, for a duty that was public once, withdrawn).

Its own migration: on PostgreSQL a table cannot be altered in the transaction that
updated its rows (deferred constraint triggers), either way.
"""

from django.db import migrations
from django.utils import timezone


def approve_what_was_published(apps, schema_editor):
    for name in ("Theme", "Bureau", "Duty"):
        model = apps.get_model("bureaus", name)
        dated = name == "Duty"
        for item in model.objects.all():
            first = getattr(item, "first_published_at", None) if dated else None
            if item.is_published:
                item.publication_state = "approved"
                item.first_published_at = (
                    first or getattr(item, "created_at", None) or timezone.now()
                )
            elif first is not None:
                item.publication_state = "withdrawn"
            else:
                item.publication_state = "draft"
            item.save(update_fields=["publication_state", "first_published_at"])


def publish_what_was_approved(apps, schema_editor):
    for name in ("Theme", "Bureau", "Duty"):
        model = apps.get_model("bureaus", name)
        model.objects.update(is_published=False)
        model.objects.filter(publication_state="approved").update(is_published=True)


class Migration(migrations.Migration):
    dependencies = [
        ("bureaus", "0010_publication_state"),
    ]

    operations = [
        migrations.RunPython(approve_what_was_published, publish_what_was_approved),
    ]
