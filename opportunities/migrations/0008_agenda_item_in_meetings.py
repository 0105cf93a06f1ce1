"""The agreed-at agenda item now lives in the meetings app; the column and its key are unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0001_initial"),
        ("opportunities", "0007_search_documents"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='recommendation',
                    name='agenda_item',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='recommendations', to='meetings.agendaitem', verbose_name='agreed at (agenda item)'),
                ),
    
            ],
        ),
    ]
