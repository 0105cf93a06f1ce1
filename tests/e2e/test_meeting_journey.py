"""Journey 1 in Chromium: the secretariat schedules a meeting, builds its agenda, uploads a paper
and publishes; a member replies "attending" and downloads the paper."""

import re
from datetime import datetime

import pytest
from django.utils import timezone

from meetings.models import Meeting, MeetingInvitation
from tests.e2e.journeys import sign_in
from tests.factories import pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def meeting_items(title):
    return Meeting.objects.get(title=title).items.values_list("title", flat=True)


def test_meeting_from_scheduling_to_a_members_reply_and_download(
    live_server, browser, page, board, alice, bob, dave, tmp_path
):
    base = live_server.url
    sign_in(page, base, "alice@police.example")
    page.goto(f"{base}/boards/{board.slug}/meetings/")
    page.get_by_role("link", name="New meeting").click()
    page.get_by_label("Title").fill("Spring meeting")
    for name, time in (("starts_at", "10am"), ("ends_at", "midday")):
        for box, typed in enumerate(("4", "3", "2031", time)):
            page.locator(f"#id_{name}_{box}").fill(typed)
    page.get_by_label("Venue").fill("Shire Hall, Warwick")
    page.get_by_role("button", name="Save as a draft").click()
    page.get_by_role("heading", name="Spring meeting").wait_for()

    for title, presenter in [("Shared estates", "Rachel Finch"), ("Joint training", "Chair")]:
        page.get_by_role("link", name="Add an item").click()
        page.get_by_label("Title").fill(title)
        page.get_by_label("Presenter").fill(presenter)
        page.get_by_role("button", name="Save the item").click()
        page.get_by_text(f"Agenda item “{title}” is saved.").wait_for()

    # Reordering happens in place, without a page reload.
    url_before = page.url
    page.get_by_role("button", name=re.compile("^Down.*“Shared estates” down$")).click()
    page.get_by_text("The agenda order is saved.").wait_for(state="attached")
    titles = page.locator("[data-agenda] h3").all_inner_texts()
    # Each heading is the item's title, then its handling marking.
    assert [t.strip().splitlines()[0].strip() for t in titles] == [
        "Joint training",
        "Shared estates",
    ]
    assert page.url == url_before
    assert list(meeting_items("Spring meeting")) == ["Joint training", "Shared estates"]

    paper = tmp_path / "Estates options.pdf"
    paper.write_bytes(pdf_bytes(2))
    page.get_by_role("link", name="Upload a paper").click()
    page.get_by_label("Title of the paper").fill("Estates options appraisal")
    page.get_by_label("Agenda item").select_option(label="Shared estates")
    page.get_by_label("File").set_input_files(str(paper))
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("“Estates options appraisal” is uploaded (version 1).").wait_for()

    page.get_by_role("button", name="Schedule and send invitations").click()
    page.get_by_text("The meeting is scheduled").wait_for()
    meeting = Meeting.objects.get(title="Spring meeting")
    assert meeting.invitations.count() == 3
    assert timezone.localtime(meeting.starts_at).replace(tzinfo=None) == datetime(2031, 3, 4, 10)
    assert timezone.localtime(meeting.ends_at).replace(tzinfo=None) == datetime(2031, 3, 4, 12)

    chair_context = browser.new_context()
    chair_page = chair_context.new_page()
    sign_in(chair_page, base, "dave@police.example")
    chair_page.goto(base + meeting.get_absolute_url())
    chair_page.get_by_role("button", name="Sign the agenda off").click()
    chair_page.get_by_text("You have signed the agenda off").wait_for()
    chair_context.close()

    page.reload()
    page.get_by_role("button", name="Publish the papers").click()
    page.get_by_text("The papers are published").wait_for()
    assert page.console_problems == []

    member_context = browser.new_context(accept_downloads=True)
    member = member_context.new_page()
    member.console_problems = []
    member.on(
        "console",
        lambda m: (
            member.console_problems.append(m.text) if m.type in ("error", "warning") else None
        ),
    )
    sign_in(member, base, "bob@fire.example")
    member.get_by_role("link", name="Reply to the invitation to Spring meeting").click()
    member.get_by_label("Attending").check()
    member.get_by_role("button", name="Send my reply").click()
    member.get_by_text("your reply is “Attending”").wait_for()
    assert MeetingInvitation.objects.get(meeting=meeting, person=bob).reply == "attending"

    with member.expect_download() as download:
        member.get_by_role("link", name="Estates options appraisal", exact=True).click()
    assert download.value.suggested_filename == "Estates options.pdf"
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert member.get_by_role("link", name="Download the agenda pack (PDF)").is_visible()
    assert member.console_problems == []
    member_context.close()
