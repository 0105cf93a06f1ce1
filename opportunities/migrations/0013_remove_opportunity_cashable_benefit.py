from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("opportunities", "0012_benefits_only_per_body"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="opportunity",
            name="opportunity_benefit_not_negative",
        ),
        migrations.RemoveField(
            model_name="opportunity",
            name="cashable_benefit",
        ),
    ]
