"""Date bureaus and duties: when each was added and last changed, and when a duty was confirmed.

Rows that exist already get the migration's time for all three: nothing older is
known, and the date a duty was confirmed starts the review interval from today
rather than making every duty due at once. The content revision is bumped with
them, as any content edit does. The columns are added empty, filled,
then made required, so each step stays reversible.
"""

import django.utils.timezone
from django.db import migrations, models


def stamp_existing_rows(apps, schema_editor):
    Bureau = apps.get_model("bureaus", "Bureau")
    Duty = apps.get_model("bureaus", "Duty")
    now = django.utils.timezone.now()
    Bureau.objects.update(created_at=now, updated_at=now)
    Duty.objects.update(
        created_at=now, updated_at=now, confirmed_at=django.utils.timezone.localdate(now)
    )
    # The duty pages now show these dates: pages cached before must not be served.
    ContentRevision = apps.get_model("portal", "ContentRevision")
    ContentRevision.objects.update(number=models.F("number") + 1, changed_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("bureaus", "0002_flyer_catalogue"),
        ("portal", "0005_content_revision"),
    ]

    operations = [
        migrations.AddField(
            model_name="bureau",
            name="created_at",
            field=models.DateTimeField(null=True, verbose_name="登録日時"),
        ),
        migrations.AddField(
            model_name="bureau",
            name="updated_at",
            field=models.DateTimeField(null=True, verbose_name="更新日時"),
        ),
        migrations.AddField(
            model_name="duty",
            name="created_at",
            field=models.DateTimeField(null=True, verbose_name="登録日時"),
        ),
        migrations.AddField(
            model_name="duty",
            name="updated_at",
            field=models.DateTimeField(null=True, verbose_name="更新日時"),
        ),
        migrations.AddField(
            model_name="duty",
            name="confirmed_at",
            field=models.DateField(null=True, verbose_name="最終確認日"),
        ),
        # Removing the columns undoes the stamps, so going back needs no step.
        migrations.RunPython(stamp_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="bureau",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="登録日時"),
        ),
        migrations.AlterField(
            model_name="bureau",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="更新日時"),
        ),
        migrations.AlterField(
            model_name="duty",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="登録日時"),
        ),
        migrations.AlterField(
            model_name="duty",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="更新日時"),
        ),
        migrations.AlterField(
            model_name="duty",
            name="confirmed_at",
            field=models.DateField(
                default=django.utils.timezone.localdate,
                help_text="局が最後に内容を確認した日。業務のページに表示され、"
                "確認から一定期間（既定 12 か月）が過ぎると局に確認を依頼するメールが送られます。"
                "局が確認したら、一覧で選んで操作「本日確認済みにする」を実行してください。",
                verbose_name="最終確認日",
            ),
        ),
    ]
