"""The 公開する flag of the programme's texts gives way to their publication state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0014_approve_what_was_published"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="benefit",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="faqentry",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="historicalbenefit",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="historicalfaqentry",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="historicaloverviewpoint",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="historicalrestriction",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="historicaltestimonial",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="historicaltrainingopportunity",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="overviewpoint",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="restriction",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="testimonial",
            name="is_published",
        ),
        migrations.RemoveField(
            model_name="trainingopportunity",
            name="is_published",
        ),
    ]
