"""Meetings become an app of their own. Their tables keep their names (``boards_*``), so this
migration only tells Django's state where the models now live, then relabels their content
types, which keeps permissions, admin history and audit events pointing at the same rows."""

import django.contrib.postgres.search
import django.db.models.deletion
import django.utils.timezone
import meetings.models
import uuid
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = [
    "action",
    "agendaitem",
    "calendarfeed",
    "declarationofinterest",
    "meeting",
    "meetinginvitation",
    "paper",
    "paperversion",
]


def relabel_content_types(apps, schema_editor, old="boards", new="meetings"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    ContentType.objects.using(db).filter(app_label=old, model__in=MOVED_MODELS).update(
        app_label=new
    )


def restore_content_types(apps, schema_editor):
    relabel_content_types(apps, schema_editor, old="meetings", new="boards")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("boards", "0006_search_documents"),
        ("opportunities", "0007_search_documents"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='AgendaItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveIntegerField(default=0)),
                        ('title', models.CharField(max_length=300)),
                        ('description', models.TextField(blank=True)),
                        ('presenter', models.CharField(blank=True, max_length=200)),
                        ('confidential', models.BooleanField(default=False, help_text="Its papers are seen only by the board's own members and the secretariat, never by guests, and are left out of the agenda pack.", verbose_name='confidential (exempt business)')),
                        ('minutes', models.TextField(blank=True)),
                        ('search_document', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                        ('minutes_document', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                        ('opportunity', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='agenda_items', to='opportunities.opportunity', verbose_name='linked opportunity')),
                    ],
                    options={
                        'db_table': 'boards_agendaitem',
                        'ordering': ['meeting', 'position', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='CalendarFeed',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.CharField(max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('person', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feed', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'boards_calendarfeed',
                    },
                ),
                migrations.CreateModel(
                    name='Meeting',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(default='Board meeting', max_length=200)),
                        ('starts_at', models.DateTimeField(verbose_name='starts')),
                        ('ends_at', models.DateTimeField(verbose_name='ends')),
                        ('venue', models.CharField(blank=True, help_text='e.g. Shire Hall, Warwick', max_length=300)),
                        ('online_link', models.URLField(blank=True, help_text='Leave blank if in person only.', max_length=500, verbose_name='online meeting link')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('scheduled', 'Scheduled'), ('papers_published', 'Papers published'), ('held', 'Held'), ('minutes_drafted', 'Minutes drafted'), ('minutes_approved', 'Minutes approved'), ('cancelled', 'Cancelled')], default='draft', max_length=20)),
                        ('uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('sequence', models.PositiveIntegerField(default=0)),
                        ('cancelled_reason', models.TextField(blank=True)),
                        ('agenda_signed_off_at', models.DateTimeField(blank=True, null=True)),
                        ('minutes_approved_at', models.DateTimeField(blank=True, null=True)),
                        ('pack_state', models.CharField(choices=[('none', 'Not built'), ('building', 'Being built'), ('ready', 'Ready'), ('failed', 'Could not be built')], default='none', max_length=10)),
                        ('pack_generation', models.PositiveIntegerField(default=0)),
                        ('pack_file', models.FileField(blank=True, upload_to='packs/')),
                        ('pack_built_at', models.DateTimeField(blank=True, null=True)),
                        ('minutes_pdf_state', models.CharField(choices=[('none', 'Not built'), ('building', 'Being built'), ('ready', 'Ready'), ('failed', 'Could not be built')], default='none', max_length=10)),
                        ('minutes_pdf', models.FileField(blank=True, upload_to='minutes/')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('agenda_signed_off_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('board', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='boards.board')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('minutes_approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'boards_meeting',
                        'ordering': ['starts_at'],
                    },
                ),
                migrations.CreateModel(
                    name='DeclarationOfInterest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('nature', models.TextField(verbose_name='nature of the interest')),
                        ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('agenda_item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='declarations', to='meetings.agendaitem')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='declarations', to=settings.AUTH_USER_MODEL)),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='declarations', to='meetings.meeting')),
                    ],
                    options={
                        'verbose_name': 'declaration of interest',
                        'verbose_name_plural': 'declarations of interest',
                        'db_table': 'boards_declarationofinterest',
                        'ordering': ['meeting', 'recorded_at', 'pk'],
                    },
                ),
                migrations.AddField(
                    model_name='agendaitem',
                    name='meeting',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='meetings.meeting'),
                ),
                migrations.CreateModel(
                    name='Action',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('description', models.TextField()),
                        ('due_on', models.DateField(verbose_name='due')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('in_progress', 'In progress'), ('done', 'Done'), ('dropped', 'No longer needed')], default='open', max_length=12)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='actions', to=settings.AUTH_USER_MODEL)),
                        ('agenda_item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='actions', to='meetings.agendaitem')),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='actions', to='meetings.meeting')),
                    ],
                    options={
                        'db_table': 'boards_action',
                        'ordering': ['due_on', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='MeetingInvitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('is_guest', models.BooleanField(default=False)),
                        ('counts_for_quorum', models.BooleanField(default=False)),
                        ('reply', models.CharField(choices=[('no_reply', 'No reply yet'), ('attending', 'Attending'), ('apologies', 'Apologies'), ('substitute', 'Sending a substitute')], default='no_reply', max_length=12)),
                        ('substitute_name', models.CharField(blank=True, max_length=150)),
                        ('replied_at', models.DateTimeField(blank=True, null=True)),
                        ('attendance', models.CharField(choices=[('unrecorded', 'Not recorded'), ('present', 'Present'), ('apologies', 'Apologies'), ('absent', 'Absent'), ('substitute', 'Substitute attended')], default='unrecorded', max_length=12)),
                        ('sequence_sent', models.IntegerField(default=-1)),
                        ('cancellation_sent_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='meetings.meeting')),
                        ('organisation', models.ForeignKey(blank=True, help_text='The member body the invitee represents; empty for a guest.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='boards.organisation')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meeting_invitations', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'boards_meetinginvitation',
                        'ordering': ['is_guest', 'organisation__name', 'person__full_name'],
                    },
                ),
                migrations.CreateModel(
                    name='Paper',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=300)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('search_document', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                        ('agenda_item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='papers', to='meetings.agendaitem')),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='papers', to='meetings.meeting')),
                    ],
                    options={
                        'db_table': 'boards_paper',
                        'ordering': ['meeting', 'created_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='PaperVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveIntegerField()),
                        ('file', models.FileField(max_length=200, upload_to=meetings.models._stored_name)),
                        ('original_name', models.CharField(max_length=200)),
                        ('content_type', models.CharField(max_length=120)),
                        ('kind', models.CharField(max_length=10)),
                        ('size', models.PositiveBigIntegerField()),
                        ('uploaded_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('paper', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='meetings.paper')),
                        ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'boards_paperversion',
                        'ordering': ['paper', '-number'],
                    },
                ),
                migrations.AddField(
                    model_name='paper',
                    name='current_version',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='meetings.paperversion'),
                ),
                migrations.AddIndex(
                    model_name='meeting',
                    index=models.Index(fields=['board', 'starts_at'], name='boards_meet_board_i_c0cc39_idx'),
                ),
                migrations.AddIndex(
                    model_name='meeting',
                    index=models.Index(fields=['status'], name='boards_meet_status_00c02f_idx'),
                ),
                migrations.AddConstraint(
                    model_name='meeting',
                    constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='meeting_ends_after_start'),
                ),
                migrations.AddConstraint(
                    model_name='meeting',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('venue', ''), _negated=True), models.Q(('online_link', ''), _negated=True), _connector='OR'), name='meeting_has_venue_or_link'),
                ),
                migrations.AddIndex(
                    model_name='agendaitem',
                    index=models.Index(fields=['meeting', 'position'], name='boards_agen_meeting_4d4eec_idx'),
                ),
                migrations.AddIndex(
                    model_name='action',
                    index=models.Index(fields=['owner', 'status'], name='boards_acti_owner_i_011140_idx'),
                ),
                migrations.AddIndex(
                    model_name='meetinginvitation',
                    index=models.Index(fields=['person', 'reply'], name='boards_meet_person__322904_idx'),
                ),
                migrations.AddConstraint(
                    model_name='meetinginvitation',
                    constraint=models.UniqueConstraint(fields=('meeting', 'person'), name='one_invitation_each'),
                ),
                migrations.AddConstraint(
                    model_name='paperversion',
                    constraint=models.UniqueConstraint(fields=('paper', 'number'), name='paper_version_unique'),
                ),
    
            ],
        ),
        migrations.RunPython(relabel_content_types, restore_content_types),
    ]
