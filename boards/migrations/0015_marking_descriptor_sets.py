"""A body's default marking carries a set of descriptors, not one."""

from django.db import migrations

from core.markings import descriptor_set_operations


class Migration(migrations.Migration):
    dependencies = [
        ("boards", "0014_personal_api_tokens"),
    ]

    operations = descriptor_set_operations(
        "organisation", "organisation_descriptor_when_sensitive", level="default_marking"
    )
