"""The meetings' marked things, whose marking may be changed after the fact
(``audit.marking_changes``): agenda items, papers and each version of a paper. Each change
builds again the agenda pack (once the papers are published) and the minutes' PDF (once
approved)."""

from django.urls import reverse

from audit.marking_changes import MarkedKind, register
from core.markings import Marking, marking_fields

from . import permissions
from .models import AgendaItem, Meeting, Paper, PaperVersion


def meeting_pdfs_request_build(meeting: Meeting) -> None:
    """Every PDF of the meeting built again, each shown as being built (so never published as
    it was) until its task has stored the new one."""
    from . import services

    if meeting.papers_are_published:
        services.pack_request_build(meeting=meeting)
    if meeting.status == Meeting.Status.MINUTES_APPROVED:
        services._minutes_pdf_request_build(meeting)


def _paper_versions_follow(paper: Paper, marking: Marking) -> None:
    """A paper's marking is its current version's."""
    if paper.current_version_id:
        PaperVersion.objects.filter(pk=paper.current_version_id).update(**marking_fields(marking))


def _paper_follows_its_current_version(version: PaperVersion, marking: Marking) -> None:
    """A paper's marking is its current version's."""
    Paper.objects.filter(current_version=version).update(**marking_fields(marking))


def register_kinds() -> None:
    register(
        MarkedKind(
            slug="agenda-item",
            model=AgendaItem,
            name=lambda item: f"the agenda item “{item.title}”",
            # The item itself, as the meeting's page shows it: an exempt item only to those its
            # business is open to (never its title to anyone else).
            may_view=lambda person, item: (
                permissions.can_view_meeting(person, item.meeting)
                and permissions.may_see_item(person, item)
            ),
            may_change=lambda person, item: permissions.can_change_meeting_marking(
                person, item.meeting
            ),
            rebuild=lambda item: meeting_pdfs_request_build(item.meeting),
            back=lambda item: item.meeting.get_absolute_url(),
            related=("meeting__board",),
        )
    )
    register(
        MarkedKind(
            slug="paper",
            model=Paper,
            name=lambda paper: f"the paper “{paper.title}”",
            may_view=permissions.can_view_paper,
            may_change=lambda person, paper: permissions.can_change_meeting_marking(
                person, paper.meeting
            ),
            rebuild=lambda paper: meeting_pdfs_request_build(paper.meeting),
            back=lambda paper: paper.meeting.get_absolute_url(),
            related=("meeting__board", "agenda_item"),
            also=_paper_versions_follow,
        )
    )
    register(
        MarkedKind(
            slug="paper-version",
            model=PaperVersion,
            name=lambda version: f"version {version.number} of the paper “{version.paper.title}”",
            may_view=lambda person, version: permissions.can_view_paper(person, version.paper),
            may_change=lambda person, version: permissions.can_change_meeting_marking(
                person, version.paper.meeting
            ),
            rebuild=lambda version: meeting_pdfs_request_build(version.paper.meeting),
            back=lambda version: reverse(
                "paper_versions", args=[version.paper.meeting_id, version.paper_id]
            ),
            related=("paper__meeting__board", "paper__agenda_item"),
            also=_paper_follows_its_current_version,
        )
    )
