"""The agenda item where a recommendation was agreed is now kept by meetings (meetings 0002
copied every link), so the register's column goes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("opportunities", "0008_agenda_item_in_meetings"),
        ("meetings", "0002_agreed_recommendations"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="recommendation",
            name="agenda_item",
        ),
    ]
