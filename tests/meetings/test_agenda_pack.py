"""The agenda pack: front sheet and agenda, then the PDF papers in agenda order, built by a
Celery task after the papers are published, rebuilt when a paper changes, and never holding a
confidential paper."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from meetings import services as meeting_services
from meetings.models import Meeting, PaperVersion
from meetings.pdfs import agenda_pack_store
from tests.factories import AgendaItemFactory, PaperFactory, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(meeting, alice, bob, dave, erin):
    from .helpers import invite_board

    invite_board(meeting, alice, bob, dave, guests=[erin])
    meeting.items.all().delete()
    second = AgendaItemFactory(meeting=meeting, title="Fleet", position=2)
    first = AgendaItemFactory(meeting=meeting, title="Estates", position=1)
    secret = AgendaItemFactory(meeting=meeting, title="Depot sale", position=3, confidential=True)
    PaperFactory(meeting=meeting, agenda_item=second, title="Fleet paper", pages=2)
    PaperFactory(meeting=meeting, agenda_item=first, title="Estates paper", pages=3)
    PaperFactory(meeting=meeting, agenda_item=secret, title="Depot valuation", pages=5)
    PaperFactory(meeting=meeting, title="Chair's note", pages=1)
    meeting.status = Meeting.Status.SCHEDULED
    meeting.save()
    meeting_services.agenda_sign_off(meeting=meeting, actor=dave)
    return meeting


def publish(client, meeting, capture):
    with capture(execute=True):
        client.post(
            reverse("meeting_transition", kwargs={"pk": meeting.pk}), {"to": "papers_published"}
        )
    meeting.refresh_from_db()


def pack_of(client, meeting):
    response = client.get(reverse("pack_download", kwargs={"pk": meeting.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    return PdfReader(io.BytesIO(b"".join(response.streaming_content)))


def test_publishing_builds_the_pack_in_agenda_order_without_confidential_papers(
    client_of, scheduled, alice, bob, django_capture_on_commit_callbacks
):
    publish(client_of(alice), scheduled, django_capture_on_commit_callbacks)
    assert scheduled.pack_state == Meeting.FileState.READY
    pack = pack_of(client_of(bob), scheduled)
    # front sheet + agenda, then the chair's note (1), estates (3) and fleet (2); not the 5
    # pages of the confidential valuation.
    assert len(pack.pages) == 2 + 1 + 3 + 2
    assert [o.title for o in pack.outline if not isinstance(o, list)][1:] == [
        "Chair's note",
        "Item 1: Estates paper",
        "Item 2: Fleet paper",
    ]
    front = pack.pages[0].extract_text()
    assert "Exempt business is not in this part" in front
    assert "1 item of exempt business" in front
    agenda = pack.pages[1].extract_text()
    assert agenda.index("Estates") < agenda.index("Fleet")
    # Every invitee may download the pack, so exempt business is not named in it at all.
    everything = "".join(page.extract_text() for page in pack.pages[:2])
    assert "Depot sale" not in everything
    assert "Depot valuation" not in everything


def test_a_guest_may_download_the_pack_because_it_holds_nothing_confidential(
    client_of, scheduled, alice, erin, django_capture_on_commit_callbacks
):
    publish(client_of(alice), scheduled, django_capture_on_commit_callbacks)
    assert len(pack_of(client_of(erin), scheduled).pages) == 8


def test_a_new_version_of_a_paper_rebuilds_the_pack(
    client_of, scheduled, alice, bob, django_capture_on_commit_callbacks
):
    publish(client_of(alice), scheduled, django_capture_on_commit_callbacks)
    generation = scheduled.pack_generation
    fleet = scheduled.papers.get(title="Fleet paper")
    with django_capture_on_commit_callbacks(execute=True):
        client_of(alice).post(
            reverse("paper_new_version", kwargs={"pk": scheduled.pk, "paper": fleet.pk}),
            {"file": SimpleUploadedFile("fleet v2.pdf", pdf_bytes(4))},
        )
    scheduled.refresh_from_db()
    assert scheduled.pack_generation == generation + 1
    assert len(pack_of(client_of(bob), scheduled).pages) == 2 + 1 + 3 + 4


def test_the_page_says_the_pack_is_being_built_until_it_is_ready(
    client_of, scheduled, alice, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        client_of(alice).post(
            reverse("meeting_transition", kwargs={"pk": scheduled.pk}),
            {"to": "papers_published"},
        )
    body = client_of(bob).get(scheduled.get_absolute_url()).content.decode()
    assert "The agenda pack is being built." in body
    assert reverse("pack_state", kwargs={"pk": scheduled.pk}) in body
    assert (
        client_of(bob).get(reverse("pack_download", kwargs={"pk": scheduled.pk})).status_code == 404
    )
    state = client_of(bob).get(reverse("pack_state", kwargs={"pk": scheduled.pk})).json()
    assert state == {"state": "building"}


def test_a_stale_build_does_nothing(scheduled, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        meeting_services.pack_request_build(meeting=scheduled)
        meeting_services.pack_request_build(meeting=scheduled)
    agenda_pack_store(meeting_id=scheduled.pk, generation=scheduled.pack_generation - 1)
    scheduled.refresh_from_db()
    assert scheduled.pack_state == Meeting.FileState.BUILDING
    agenda_pack_store(meeting_id=scheduled.pk, generation=scheduled.pack_generation)
    scheduled.refresh_from_db()
    assert scheduled.pack_state == Meeting.FileState.READY


def test_non_pdf_papers_are_named_on_the_front_sheet(
    client_of, scheduled, alice, bob, django_capture_on_commit_callbacks
):
    note = scheduled.papers.get(title="Chair's note")
    PaperVersion.objects.filter(paper=note).update(kind="docx")
    publish(client_of(alice), scheduled, django_capture_on_commit_callbacks)
    pack = pack_of(client_of(bob), scheduled)
    assert len(pack.pages) == 2 + 3 + 2
    assert "are not in the pack" in pack.pages[0].extract_text()


def test_a_pack_that_cannot_be_built_is_reported_not_left_building(
    client_of, scheduled, alice, bob, monkeypatch, django_capture_on_commit_callbacks
):
    from meetings import pdfs as meeting_pdfs

    def broken(meeting):
        raise RuntimeError("renderer unavailable")

    monkeypatch.setattr(meeting_pdfs, "agenda_pack_pdf", broken)
    publish(client_of(alice), scheduled, django_capture_on_commit_callbacks)
    assert scheduled.pack_state == Meeting.FileState.FAILED
    body = client_of(bob).get(scheduled.get_absolute_url()).content.decode()
    assert "The agenda pack could not be built." in body
