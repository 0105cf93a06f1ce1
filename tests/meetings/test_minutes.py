"""Minutes per item, locked once the chair approves them, and their PDF built by a Celery task."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from meetings.models import DeclarationOfInterest, Meeting
from tests.check_answers import confirm_step
from tests.factories import ActionFactory, AgendaItemFactory
from tests.meetings.helpers import opened

pytestmark = pytest.mark.django_db


def minutes_url(meeting, item):
    return reverse("minutes_edit", kwargs={"pk": meeting.pk, "item": item.pk})


def test_secretariat_writes_the_minutes_of_an_item(client_of, held, alice):
    item = held.items.get()
    client_of(alice).post(
        minutes_url(held, item), opened(item, {"minutes": "The board agreed to proceed."})
    )
    item.refresh_from_db()
    assert item.minutes == "The board agreed to proceed."


def test_minutes_cannot_be_written_before_the_meeting_is_held(client_of, published, alice):
    item = published.items.get()
    response = client_of(alice).post(
        minutes_url(published, item), opened(item, {"minutes": "Too early"}), follow=True
    )
    assert "Minutes are written once the meeting has been held." in response.content.decode()
    item.refresh_from_db()
    assert item.minutes == ""


@pytest.fixture
def approved(client_of, held, alice, dave, django_capture_on_commit_callbacks):
    item = held.items.get()
    item.minutes = "Agreed."
    item.save()
    AgendaItemFactory(
        meeting=held, title="Depot sale", confidential=True, minutes="Secret terms.", position=9
    )
    ActionFactory(meeting=held, agenda_item=item, owner=dave, description="Write to the chief.")
    client_of(alice).post(
        reverse("meeting_transition", kwargs={"pk": held.pk}), {"to": "minutes_drafted"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        confirm_step(
            client_of(dave),
            reverse("meeting_transition", kwargs={"pk": held.pk}),
            {"to": "minutes_approved"},
        )
    held.refresh_from_db()
    return held


def test_approved_minutes_are_locked_with_a_clear_message(client_of, approved, alice):
    item = approved.items.get(title="Shared estates")
    response = client_of(alice).post(
        minutes_url(approved, item), opened(item, {"minutes": "Rewritten"})
    )
    assert response.status_code == 403
    assert "approved by the chair on" in response.content.decode()
    assert "they can no longer be changed" in response.content.decode()
    item.refresh_from_db()
    assert item.minutes == "Agreed."


def test_approved_minutes_take_no_new_declarations(client_of, approved, bob):
    response = client_of(bob).post(
        reverse("declaration_add", kwargs={"pk": approved.pk}), {"nature": "Late"}
    )
    assert response.status_code == 403
    assert not DeclarationOfInterest.objects.exists()


def test_approving_the_minutes_produces_their_pdf_without_confidential_minutes(
    client_of, approved, bob
):
    assert approved.minutes_pdf_state == Meeting.FileState.READY
    response = client_of(bob).get(reverse("minutes_download", kwargs={"pk": approved.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Agreed." in text
    assert "Write to the chief." in text
    # Every invitee may download the minutes: exempt business is neither named nor minuted.
    assert "Depot sale" not in text and "Secret terms." not in text
    # The exempt item keeps its place and number, and is minuted in Part 2.
    assert "Item 2: exempt" in text
    assert "Exempt business, minuted in Part 2." in text
    assert "Dave Dunn" in text
