"""The central inquiry window and the content revision now belong to core (same tables)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0008_history"),
        ("core", "0001_initial"),
        # bureaus 0003 reads portal.ContentRevision: it must run while the model is here
        # (`migrate portal` alone, then `migrate`, otherwise fails with a LookupError).
        ("bureaus", "0003_freshness_dates"),
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
