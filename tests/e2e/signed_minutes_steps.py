"""The chair's part of the papers-and-records journey: approving the minutes with a fresh second
factor, downloading the signed minutes, and the "verify a document" page confirming the very file
downloaded."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from meetings.models import Meeting
from tests.e2e.journeys import second_factor_if_asked, sign_in
from tests.signing import validate_with


def chair_approves_signed_minutes_and_verifies_them(
    page, base, meeting, chair, signing_authority, tmp_path
):
    sign_in(page, base, chair.email)
    # Twenty minutes later the second factor is no longer fresh: approving asks for it again.
    with time_machine.travel(timezone.now() + timedelta(minutes=20), tick=True):
        page.goto(base + meeting.get_absolute_url())
        page.get_by_role("button", name="Approve the minutes").click()
        page.wait_for_url("**/two-factor/verify/**")
        page.get_by_text("This step needs your second factor again, as the last time").wait_for()
        second_factor_if_asked(page, chair.email)
        page.wait_for_url(base + meeting.get_absolute_url())
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.MINUTES_DRAFTED  # nothing happened before

        page.get_by_role("button", name="Approve the minutes").click()
        # The check page says what approving does; its own button approves.
        page.get_by_role("heading", level=1).filter(has_text="Check").wait_for()
        page.get_by_role("button", name="Approve the minutes").click()
        page.get_by_text("The minutes are approved and locked").wait_for()
        page.reload()
        page.get_by_text("This PDF is signed with the board's certificate").wait_for()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download the minutes (PDF)").click()
        downloaded = tmp_path / "minutes.pdf"
        download_info.value.save_as(downloaded)
        assert validate_with(signing_authority, downloaded.read_bytes()).bottom_line

        page.get_by_role("button", name=chair.full_name).click()
        page.get_by_role("link", name="Verify a document").click()
        page.get_by_label("PDF to check").set_input_files(str(downloaded))
        page.get_by_role("button", name="Check the PDF").click()
        page.get_by_role("heading", name="Unaltered: issued by the portal").wait_for()
        page.get_by_text(
            "Its signature is valid and was made with the board's certificate"
        ).wait_for()
        assert f"Approved by {chair.full_name}, Chair" in page.content()
        assert page.console_problems == [], page.console_problems
