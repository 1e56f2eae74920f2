"""A Japanese era year alone (平成30年) asks the reader to convert it; foreign readers and
many young ones cannot. Give the western year beside it, as the English text already
does, wherever the loaded text still says it the flyer's way (an edited text is kept)."""

from django.db import migrations

ERA_ONLY = "平成30年10月"
WITH_WESTERN_YEAR = "平成30年（2018年）10月"


def add_western_year(apps, schema_editor):
    PageText = apps.get_model("portal", "PageText")
    for text in PageText.objects.filter(body_ja__contains=ERA_ONLY):
        text.body_ja = text.body_ja.replace(ERA_ONLY, WITH_WESTERN_YEAR)
        text.save(update_fields=["body_ja"])


def era_only(apps, schema_editor):
    PageText = apps.get_model("portal", "PageText")
    for text in PageText.objects.filter(body_ja__contains=WITH_WESTERN_YEAR):
        text.body_ja = text.body_ja.replace(WITH_WESTERN_YEAR, ERA_ONLY)
        text.save(update_fields=["body_ja"])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0011_site_policy"),
    ]

    operations = [migrations.RunPython(add_western_year, era_only)]
