"""In Chromium: a member opens a paper in the viewer, highlights a sentence and adds a private
note, then another sentence with a shared note; another member sees only the shared one. The
meeting is held; the chair approves its minutes with a second factor, downloads the signed PDF,
and the verify page confirms it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.annotations.models import PaperNote
from meetings.models import Meeting, Paper, PaperVersion
from meetings.pdfs import render_html_pdf
from tests.e2e import site_crawl
from tests.e2e.journeys import sign_in
from tests.e2e.signed_minutes_steps import chair_approves_signed_minutes_and_verifies_them
from tests.factories import MeetingInvitationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PRIVATE_SENTENCE = "The joint control room would open in the spring of 2028."
SHARED_SENTENCE = "Running costs fall by a fifth in the third year."

# Select the text of the first text-layer span that contains ``sentence`` (the viewer draws
# each line of the paper as one span).
SELECT = """(sentence) => {
  const span = [...document.querySelectorAll('.textLayer span')]
    .find((s) => s.textContent.includes(sentence));
  const text = span.firstChild;
  const start = text.textContent.indexOf(sentence);
  const range = document.createRange();
  range.setStart(text, start);
  range.setEnd(text, start + sentence.length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


@pytest.fixture
def paper_with_text(published, alice, owen):
    MeetingInvitationFactory(meeting=published, person=owen)
    paper = Paper.objects.create(meeting=published, title="Control room options")
    content = render_html_pdf(
        f'<html lang="en-GB"><body><h1>Control room options</h1><p>{PRIVATE_SENTENCE}</p>'
        f"<p>{SHARED_SENTENCE}</p></body></html>"
    )
    from django.core.files.base import ContentFile

    version = PaperVersion(
        paper=paper,
        number=1,
        original_name="Control room options.pdf",
        content_type="application/pdf",
        kind="pdf",
        size=len(content),
        uploaded_by=alice,
    )
    version.file.save("paper.pdf", ContentFile(content), save=False)
    version.save()
    paper.current_version = version
    paper.save(update_fields=["current_version"])
    return paper


def note_selection(page, sentence, note, *, share):
    page.evaluate(SELECT, sentence)
    page.get_by_role("button", name="Highlight and add a note").click()
    assert page.get_by_label("The words you are noting (optional)").input_value() == sentence
    page.get_by_label("Your note").fill(note)
    if share:
        page.get_by_label("Share with the meeting's readers").check()
    page.get_by_role("button", name="Save the note").click()


def test_members_annotate_a_paper_and_the_chair_signs_the_minutes(
    live_server, browser, page, paper_with_text, bob, owen, dave, signing_authority, tmp_path
):
    base = live_server.url
    paper = paper_with_text
    url = f"{base}/meetings/{paper.meeting_id}/papers/{paper.pk}/read/"
    sign_in(page, base, bob.email)
    page.goto(f"{base}/meetings/{paper.meeting_id}/")
    page.get_by_role("link", name="Read and add notes on “Control room options”").click()
    page.wait_for_url(url)
    page.locator("#paper-viewer[data-ready=true]").wait_for()

    note_selection(page, PRIVATE_SENTENCE, "Is spring 2028 realistic?", share=False)
    page.get_by_text("Your note is saved (private).").wait_for()
    note_selection(page, SHARED_SENTENCE, "A fifth: please show the workings.", share=True)
    page.get_by_text("Your note is saved and shared.").wait_for()

    private, shared = PaperNote.objects.order_by("pk")
    assert (private.shared, shared.shared) == (False, True)
    assert private.quote == PRIVATE_SENTENCE and private.page == 1
    assert private.end_offset - private.start_offset == len(PRIVATE_SENTENCE)
    assert page.locator(".textLayer .note-highlight").count() >= 2

    # The highlights are there again when the page is opened afresh.
    page.goto(url)
    page.locator("#paper-viewer[data-ready=true]").wait_for()
    assert page.locator(".textLayer .note-highlight").count() >= 2
    assert page.console_problems == []
    # The viewer, with its pages, highlights and notes drawn, meets WCAG 2.2 AA, and so does
    # the form's error state.
    assert site_crawl.run_axe(page) == []
    page.get_by_role("button", name="Save the note").click()
    page.get_by_text("There are problems with what you entered").wait_for()
    assert site_crawl.run_axe(page) == []
    assert PaperNote.objects.count() == 2
    # The empty note's refusal (400) is all the console saw since.
    assert page.console_problems and all("status of 400" in p for p in page.console_problems)
    page.console_problems.clear()

    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(other, base, owen.email)
    other.goto(url)
    other.locator("#paper-viewer[data-ready=true]").wait_for()
    notes = other.locator("[data-notes-list]")
    assert "A fifth: please show the workings." in notes.inner_text()
    assert "Is spring 2028 realistic?" not in other.content()
    assert other.locator(".textLayer .note-highlight.shared").count() >= 1
    other.context.close()

    # The meeting is held and its minutes drafted; the chair approves and signs them.
    meeting = paper.meeting
    item = meeting.items.get()
    item.minutes = "The board agreed to share the Leamington depot."
    item.save()
    starts_at = timezone.now() - timedelta(hours=3)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        status=Meeting.Status.MINUTES_DRAFTED,
    )
    page.context.clear_cookies()
    chair_approves_signed_minutes_and_verifies_them(
        page, base, meeting, dave, signing_authority, tmp_path
    )
