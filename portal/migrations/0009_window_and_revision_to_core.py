"""The central inquiry window and the content revision now belong to core (same tables)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0008_history"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="contentrevision",
                    name="contentrevision_single_row",
                ),
                migrations.DeleteModel(
                    name="ContentRevision",
                ),
                migrations.RemoveField(
                    model_name="historicalinquirywindow",
                    name="history_user",
                ),
                migrations.RemoveConstraint(
                    model_name="inquirywindow",
                    name="inquirywindow_single_row",
                ),
                migrations.RemoveConstraint(
                    model_name="inquirywindow",
                    name="inquirywindow_name_ja_required",
                ),
                migrations.DeleteModel(
                    name="InquiryWindow",
                ),
                migrations.DeleteModel(
                    name="HistoricalInquiryWindow",
                ),
            ],
        ),
    ]
