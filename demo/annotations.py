"""Demonstration notes on a paper of the upcoming meeting: a member's private note and the
chair's shared one (found by their text, so seeding twice adds nothing)."""

from boards.models import User
from meetings.annotations.models import PaperNote
from meetings.models import Paper

PAPER_TITLE = "Joint control room feasibility study"
NOTES = [
    ("simon.ashworth", False, "Ask how the out-of-hours cover is staffed in the first year."),
    ("helen.marsh", True, "Members: please read section 3 on costs before the meeting."),
]


def seed() -> None:
    paper = Paper.objects.filter(title=PAPER_TITLE).select_related("current_version").first()
    if paper is None or paper.current_version is None:
        return
    people = {person.email.split("@")[0]: person for person in User.objects.all()}
    for key, shared, body in NOTES:
        if key in people:
            PaperNote.objects.get_or_create(
                paper=paper,
                author=people[key],
                body=body,
                defaults={"version": paper.current_version, "page": 1, "shared": shared},
            )
