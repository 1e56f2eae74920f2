"""The central inquiry window and the content revision, moved here from portal."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

# Moved from the programme app with their tables (portal_*): only Django's picture of
# them changes, and the content types follow, so that granted permissions and the
# admin's log still point at them.
MOVED = ["inquirywindow", "historicalinquirywindow", "contentrevision"]


def move_content_types(source, target):
    def move(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType").objects
        for model in MOVED:
            if content_types.filter(app_label=source, model=model).exists():
                # Made afresh by a migrate that stopped half-way (no data hangs on it yet).
                content_types.filter(app_label=target, model=model).delete()
                content_types.filter(app_label=source, model=model).update(app_label=target)

    return move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0008_history"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ContentRevision",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "singleton",
                            models.BooleanField(default=True, editable=False, unique=True),
                        ),
                        ("number", models.PositiveBigIntegerField(default=1, verbose_name="版")),
                        (
                            "changed_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="更新日時"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "掲載内容の版",
                        "verbose_name_plural": "掲載内容の版",
                        "db_table": "portal_contentrevision",
                        "ordering": ["pk"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("singleton", True)),
                                name="contentrevision_single_row",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalInquiryWindow",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "singleton",
                            models.BooleanField(db_index=True, default=True, editable=False),
                        ),
                        (
                            "name_ja",
                            models.CharField(max_length=100, verbose_name="窓口名（日本語）"),
                        ),
                        (
                            "name_en",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="窓口名（英語）"
                            ),
                        ),
                        (
                            "phone",
                            models.CharField(
                                help_text="半角数字とハイフン（例: 03-5388-2374）。",
                                max_length=20,
                                validators=[
                                    django.core.validators.RegexValidator(
                                        "^0\\d{1,4}-\\d{1,4}-\\d{3,4}$",
                                        "電話番号は 03-5388-2374 のように半角数字とハイフンで入力してください。",
                                    )
                                ],
                                verbose_name="電話番号",
                            ),
                        ),
                        (
                            "contact_email",
                            models.EmailField(
                                help_text="事前相談の申込みの写し、連絡先のない局あての申込みを受け取るアドレス。",
                                max_length=254,
                                verbose_name="連絡先メールアドレス",
                            ),
                        ),
                        (
                            "website",
                            models.URLField(
                                help_text="受入れ情報の詳細や最新状況、応募方法を載せている総務局のページ。",
                                validators=[
                                    django.core.validators.RegexValidator(
                                        "^https?://",
                                        "http:// か https:// で始まる URL を入力してください。",
                                    )
                                ],
                                verbose_name="ホームページ",
                            ),
                        ),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 制度に関するお問合せ窓口",
                        "verbose_name_plural": "historical 制度に関するお問合せ窓口",
                        "db_table": "portal_historicalinquirywindow",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="InquiryWindow",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "singleton",
                            models.BooleanField(default=True, editable=False, unique=True),
                        ),
                        (
                            "name_ja",
                            models.CharField(max_length=100, verbose_name="窓口名（日本語）"),
                        ),
                        (
                            "name_en",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="窓口名（英語）"
                            ),
                        ),
                        (
                            "phone",
                            models.CharField(
                                help_text="半角数字とハイフン（例: 03-5388-2374）。",
                                max_length=20,
                                validators=[
                                    django.core.validators.RegexValidator(
                                        "^0\\d{1,4}-\\d{1,4}-\\d{3,4}$",
                                        "電話番号は 03-5388-2374 のように半角数字とハイフンで入力してください。",
                                    )
                                ],
                                verbose_name="電話番号",
                            ),
                        ),
                        (
                            "contact_email",
                            models.EmailField(
                                help_text="事前相談の申込みの写し、連絡先のない局あての申込みを受け取るアドレス。",
                                max_length=254,
                                verbose_name="連絡先メールアドレス",
                            ),
                        ),
                        (
                            "website",
                            models.URLField(
                                help_text="受入れ情報の詳細や最新状況、応募方法を載せている総務局のページ。",
                                validators=[
                                    django.core.validators.RegexValidator(
                                        "^https?://",
                                        "http:// か https:// で始まる URL を入力してください。",
                                    )
                                ],
                                verbose_name="ホームページ",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "制度に関するお問合せ窓口",
                        "verbose_name_plural": "制度に関するお問合せ窓口",
                        "db_table": "portal_inquirywindow",
                        "ordering": ["pk"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("singleton", True)),
                                name="inquirywindow_single_row",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("name_ja", ""), _negated=True),
                                name="inquirywindow_name_ja_required",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(
            move_content_types("portal", "core"), move_content_types("core", "portal")
        ),
    ]
