"""Marked things carry a set of descriptors, not one; and a body's decision carries its own
marking, read from what it was marked with when it was recorded: its notice's marking, or (a
decision without a notice yet) the strictest of its documents'."""

from django.db import migrations

from core.markings import (
    Marking,
    descriptor_only_when_sensitive,
    descriptor_set_operations,
    descriptor_text,
    descriptors_field,
    level_field,
    strictest,
)


def decisions_marked_as_recorded(apps, schema_editor):
    Referral = apps.get_model("opportunities", "Referral")
    DecisionNotice = apps.get_model("opportunities", "DecisionNotice")
    ReferralDocument = apps.get_model("opportunities", "ReferralDocument")
    marked: dict[int, list[Marking]] = {}
    for referral_id, level, descriptors in DecisionNotice.objects.values_list(
        "referral_id", "marking", "marking_descriptors"
    ):
        marked.setdefault(referral_id, []).append(Marking.of(level, descriptors))
    for referral_id, level, descriptors in ReferralDocument.objects.filter(
        event__kind="decision"
    ).values_list("referral_id", "marking", "marking_descriptors"):
        marked.setdefault(referral_id, []).append(Marking.of(level, descriptors))
    for referral_id, markings in marked.items():
        marking = strictest(markings)
        if marking.is_sensitive:
            Referral.objects.filter(pk=referral_id).update(
                marking=marking.level, marking_descriptors=descriptor_text(marking.descriptors)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("opportunities", "0017_merge_delivery_milestones"),
    ]

    operations = [
        *descriptor_set_operations("decisionnotice", "decision_notice_descriptor_when_sensitive"),
        *descriptor_set_operations("recommendation", "recommendation_descriptor_when_sensitive"),
        *descriptor_set_operations(
            "recommendationpaper", "recommendation_paper_descriptor_when_sensitive"
        ),
        *descriptor_set_operations(
            "referraldocument", "referral_document_descriptor_when_sensitive"
        ),
        migrations.AddField(model_name="referral", name="marking", field=level_field()),
        migrations.AddField(
            model_name="referral", name="marking_descriptors", field=descriptors_field()
        ),
        migrations.AddConstraint(
            model_name="referral",
            constraint=descriptor_only_when_sensitive("referral_descriptor_when_sensitive"),
        ),
        migrations.RunPython(decisions_marked_as_recorded, migrations.RunPython.noop),
    ]
