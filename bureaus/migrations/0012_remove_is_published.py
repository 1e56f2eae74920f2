"""The 公開する flag of bureaus, duties and themes gives way to their publication state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bureaus", "0011_approve_what_was_published"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="bureau",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="duty",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="historicalbureau",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="historicalduty",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="historicaltheme",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="theme",
            name="is_published",
        ),
    ]
