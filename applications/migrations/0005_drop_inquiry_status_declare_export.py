"""Drop the one-value request status; declare the CSV export permission on the model."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_history"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="inquiry",
            options={
                "ordering": ["-received_at", "-pk"],
                "permissions": [("export_inquiry", "事前相談の申込みを CSV で書き出す")],
                "verbose_name": "事前相談の申込み",
                "verbose_name_plural": "事前相談の申込み",
            },
        ),
        migrations.RemoveConstraint(
            model_name="inquiry",
            name="inquiry_status_known",
        ),
        migrations.RemoveField(
            model_name="historicalinquiry",
            name="status",
        ),
        migrations.RemoveField(
            model_name="inquiry",
            name="status",
        ),
    ]
