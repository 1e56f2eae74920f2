"""Tie the flyer's three restrictions to the topics the pre-consultation form asks about."""

from django.db import migrations

TOPICS = {
    "処分・許認可・行政指導に関して所管関係にある課への受入れはできません。": "licensing",
    "補助金等の交付について関係する場合は、補助金等の交付を行う課への受入れはできません。": "subsidy",
    "契約に関する職務に携わることはできません。": "contract",
}


def set_topics(apps, schema_editor):
    Restriction = apps.get_model("portal", "Restriction")
    for body, topic in TOPICS.items():
        Restriction.objects.filter(body_ja=body).update(topic=topic)


def clear_topics(apps, schema_editor):
    apps.get_model("portal", "Restriction").objects.filter(body_ja__in=TOPICS).update(topic="")


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_restriction_topic")]

    operations = [migrations.RunPython(set_topics, clear_topics)]
