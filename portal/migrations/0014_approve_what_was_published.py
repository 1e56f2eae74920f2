"""Every programme text on the site until now stays on it, approved and live; what was
hidden is a draft. So is the central inquiry window, whose row these migrations made.

Its own migration: on PostgreSQL a table cannot be altered in the transaction that
updated its rows (deferred constraint triggers), either way.
"""

from django.db import migrations
from django.utils import timezone

LISTED = [
    "OverviewPoint",
    "TrainingOpportunity",
    "Benefit",
    "Testimonial",
    "Restriction",
    "FaqEntry",
]


def approve_what_was_published(apps, schema_editor):
    now = timezone.now()
    for name in LISTED:
        model = apps.get_model("portal", name)
        model.objects.filter(is_published=True).update(
            publication_state="approved", first_published_at=now
        )
        model.objects.filter(is_published=False).update(publication_state="draft")
    # Page texts and the window had no flag: every one was on the site.
    for label in ("portal.PageText", "core.InquiryWindow"):
        apps.get_model(label).objects.update(publication_state="approved", first_published_at=now)


def publish_what_was_approved(apps, schema_editor):
    for label in ("portal.PageText", "core.InquiryWindow"):
        apps.get_model(label).objects.update(publication_state="draft", first_published_at=None)
    for name in LISTED:
        model = apps.get_model("portal", name)
        model.objects.update(is_published=False)
        model.objects.filter(publication_state="approved").update(is_published=True)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0013_programme_publication_state"),
        ("core", "0006_inquiry_window_publication_and_scheduled_versions"),
    ]

    operations = [
        migrations.RunPython(approve_what_was_published, publish_what_was_approved),
    ]
