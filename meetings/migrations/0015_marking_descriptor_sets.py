"""Agenda items, papers and their versions carry a set of descriptors, not one."""

from django.db import migrations

from core.markings import descriptor_set_operations


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0014_the_substitute_named_by_the_secretariat"),
    ]

    operations = [
        *descriptor_set_operations("agendaitem", "agenda_item_descriptor_when_sensitive"),
        *descriptor_set_operations("paper", "paper_descriptor_when_sensitive"),
        *descriptor_set_operations("paperversion", "paper_version_descriptor_when_sensitive"),
    ]
