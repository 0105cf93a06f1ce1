"""The meeting models now belong to the meetings app. Their tables stay where they are: only
Django's record of the boards app forgets them."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("boards", "0006_search_documents"),
        ("meetings", "0001_initial"),
        ("opportunities", "0008_agenda_item_in_meetings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='agendaitem',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='agendaitem',
                    name='opportunity',
                ),
                migrations.RemoveField(
                    model_name='declarationofinterest',
                    name='agenda_item',
                ),
                migrations.RemoveField(
                    model_name='paper',
                    name='agenda_item',
                ),
                migrations.RemoveField(
                    model_name='calendarfeed',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='declarationofinterest',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='declarationofinterest',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='declarationofinterest',
                    name='recorded_by',
                ),
                migrations.RemoveField(
                    model_name='meeting',
                    name='agenda_signed_off_by',
                ),
                migrations.RemoveField(
                    model_name='meeting',
                    name='board',
                ),
                migrations.RemoveField(
                    model_name='meeting',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='meeting',
                    name='minutes_approved_by',
                ),
                migrations.RemoveField(
                    model_name='meetinginvitation',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='paper',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='meetinginvitation',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='meetinginvitation',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='paper',
                    name='current_version',
                ),
                migrations.RemoveField(
                    model_name='paperversion',
                    name='paper',
                ),
                migrations.RemoveField(
                    model_name='paperversion',
                    name='uploaded_by',
                ),
                migrations.DeleteModel(
                    name='Action',
                ),
    
                migrations.DeleteModel(
                    name='AgendaItem',
                ),
                migrations.DeleteModel(
                    name='CalendarFeed',
                ),
                migrations.DeleteModel(
                    name='DeclarationOfInterest',
                ),
                migrations.DeleteModel(
                    name='Meeting',
                ),
                migrations.DeleteModel(
                    name='MeetingInvitation',
                ),
                migrations.DeleteModel(
                    name='Paper',
                ),
                migrations.DeleteModel(
                    name='PaperVersion',
                ),
    
            ],
        ),
    ]
