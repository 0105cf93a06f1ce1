"""Where a recommendation was agreed moves from the register to meetings: a row of
AgreedRecommendation for every recommendation that named its agenda item. The register's column
is dropped afterwards (opportunities 0009)."""

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    Recommendation = apps.get_model("opportunities", "Recommendation")
    AgreedRecommendation = apps.get_model("meetings", "AgreedRecommendation")
    db = schema_editor.connection.alias
    links = Recommendation.objects.using(db).filter(agenda_item__isnull=False)
    AgreedRecommendation.objects.using(db).bulk_create(
        (
            AgreedRecommendation(recommendation_id=pk, agenda_item_id=item_id)
            for pk, item_id in links.values_list("pk", "agenda_item_id").iterator()
        ),
        batch_size=10_000,
    )


def copy_links_back(apps, schema_editor):
    Recommendation = apps.get_model("opportunities", "Recommendation")
    AgreedRecommendation = apps.get_model("meetings", "AgreedRecommendation")
    db = schema_editor.connection.alias
    for link in AgreedRecommendation.objects.using(db).iterator():
        Recommendation.objects.using(db).filter(pk=link.recommendation_id).update(
            agenda_item_id=link.agenda_item_id
        )


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0001_initial"),
        ("opportunities", "0008_agenda_item_in_meetings"),
    ]

    operations = [
        migrations.CreateModel(
            name="AgreedRecommendation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("agenda_item", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="agreed_recommendations", to="meetings.agendaitem")),
                ("recommendation", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="agreed_at", to="opportunities.recommendation")),
            ],
            options={"verbose_name": "recommendation agreed at a meeting"},
        ),
        migrations.RunPython(copy_links, copy_links_back),
    ]
