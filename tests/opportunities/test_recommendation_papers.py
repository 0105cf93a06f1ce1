"""Papers sent with a recommendation: uploaded with the same content checks as meeting papers,
or chosen from the papers of the meeting at which the board agreed it; fixed once sent."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from meetings.models import AgreedRecommendation
from opportunities import services
from opportunities.models import RecommendationPaper
from tests.factories import AgendaItemFactory, MembershipFactory, PaperFactory, UserFactory
from tests.opportunities.helpers import referral_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def unsent(assessed, record, police, fire):
    """Recorded for Police and Fire, not yet sent."""
    return record(assessed, [police, fire])


def papers_url(recommendation):
    return reverse("recommendation_papers", args=[recommendation.pk])


def upload(client, recommendation, content=PDF, name="case.pdf", title="Business case"):
    return client.post(
        papers_url(recommendation),
        {"title": title, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def test_secretariat_uploads_a_paper_to_send(client_of, alice, unsent):
    response = upload(client_of(alice), unsent)
    assert response.status_code == 302
    paper = RecommendationPaper.objects.get(recommendation=unsent)
    assert (paper.title, paper.original_name, paper.content_type) == (
        "Business case",
        "case.pdf",
        "application/pdf",
    )
    assert paper.file.read() == PDF
    assert AuditEvent.objects.for_subject(unsent.opportunity).filter(verb="paper_added").exists()


def test_a_program_dressed_as_a_pdf_is_refused_with_a_form_error(client_of, alice, unsent):
    response = upload(client_of(alice), unsent, content=b"MZ\x90\x00" + b"0" * 64)
    assert response.status_code == 200
    assert "This file is a program, not a document" in response.content.decode()
    assert not RecommendationPaper.objects.exists()


def test_a_member_without_the_role_may_not_add_papers(client_of, bob, unsent):
    assert client_of(bob).get(papers_url(unsent)).status_code == 403
    assert upload(client_of(bob), unsent).status_code == 403
    assert not RecommendationPaper.objects.exists()


def test_an_executive_may_not_add_papers(client_of, pat, unsent):
    assert upload(client_of(pat), unsent).status_code == 404
    assert not RecommendationPaper.objects.exists()


def test_another_boards_secretariat_may_not_add_papers(client_of, charlie, unsent):
    assert upload(client_of(charlie), unsent).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, unsent):
    response = upload(client, unsent)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_no_paper_can_be_added_once_sent(client_of, alice, unsent):
    services.recommendation_send(recommendation=unsent, actor=alice)
    response = upload(client_of(alice), unsent)
    assert response.status_code == 302
    assert not RecommendationPaper.objects.exists()
    page = client_of(alice).get(papers_url(unsent)).content.decode()
    assert "cannot change" in page and "Upload a paper" not in page


# --- reading a paper sent -------------------------------------------------------------------


@pytest.fixture
def sent_paper(client_of, alice, unsent):
    upload(client_of(alice), unsent)
    services.recommendation_send(recommendation=unsent, actor=alice)
    return RecommendationPaper.objects.get()


def test_the_executive_of_a_body_referred_to_reads_the_paper(client_of, pat, sent_paper):
    response = client_of(pat).get(sent_paper.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")


def test_a_board_member_reads_the_paper(client_of, bob, sent_paper):
    assert client_of(bob).get(sent_paper.get_absolute_url()).status_code == 200


def test_the_executive_of_a_body_not_referred_to_cannot_read_the_paper(client_of, cara, sent_paper):
    assert client_of(cara).get(sent_paper.get_absolute_url()).status_code == 404


def test_anonymous_cannot_read_the_paper(client, sent_paper):
    client.logout()  # the fixture signed the secretariat in to upload
    response = client.get(sent_paper.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_the_referral_page_lists_the_papers_sent(client_of, pat, sent_paper, police):
    referral = referral_for(sent_paper.recommendation, police)
    page = client_of(pat).get(referral.get_absolute_url()).content.decode()
    assert sent_paper.get_absolute_url() in page and "Business case" in page


# --- chosen from the meeting's papers ---------------------------------------------------------


@pytest.fixture
def agreed(unsent, held):
    """The recommendation agreed at the held meeting's item, which has an open paper; an exempt
    item of the same meeting has a paper too."""
    item = held.items.get()
    AgreedRecommendation.objects.create(recommendation=unsent, agenda_item=item)
    PaperFactory(meeting=held, agenda_item=item, title="Options appraisal")
    exempt = AgendaItemFactory(meeting=held, title="Land values", confidential=True)
    PaperFactory(meeting=held, agenda_item=exempt, title="Valuation (exempt)")
    return unsent


def choose_url(recommendation):
    return reverse("recommendation_meeting_papers", args=[recommendation.pk])


def test_secretariat_sends_a_copy_of_a_meeting_paper(client_of, alice, agreed, held):
    page = client_of(alice).get(choose_url(agreed)).content.decode()
    assert "Options appraisal" in page
    assert "Valuation (exempt)" not in page
    paper = held.papers.get(title="Options appraisal")
    response = client_of(alice).post(choose_url(agreed), {"papers": [paper.pk]})
    assert response.status_code == 302
    sent = RecommendationPaper.objects.get(recommendation=agreed)
    assert sent.title == "Options appraisal"
    assert sent.source.startswith(f"the papers of {held.title}")
    assert sent.file.read()[:5] == b"%PDF-"
    assert "Choose from the papers of" in client_of(alice).get(papers_url(agreed)).content.decode()


def test_an_exempt_paper_cannot_be_chosen(client_of, alice, agreed, held):
    exempt = held.papers.get(title="Valuation (exempt)")
    response = client_of(alice).post(choose_url(agreed), {"papers": [exempt.pk]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not RecommendationPaper.objects.exists()


def test_a_member_may_not_choose_meeting_papers(client_of, bob, agreed, held):
    paper = held.papers.get(title="Options appraisal")
    assert client_of(bob).post(choose_url(agreed), {"papers": [paper.pk]}).status_code == 403
    assert not RecommendationPaper.objects.exists()


def test_an_executive_may_not_choose_meeting_papers(client_of, pat, agreed, held):
    paper = held.papers.get(title="Options appraisal")
    assert client_of(pat).post(choose_url(agreed), {"papers": [paper.pk]}).status_code == 404


def test_anonymous_may_not_choose_meeting_papers(client, agreed):
    response = client.get(choose_url(agreed))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_meeting_papers_cannot_be_added_once_sent(client_of, alice, agreed, held):
    services.recommendation_send(recommendation=agreed, actor=alice)
    paper = held.papers.get(title="Options appraisal")
    client_of(alice).post(choose_url(agreed), {"papers": [paper.pk]})
    assert not RecommendationPaper.objects.exists()


def test_a_recommendation_not_agreed_at_a_meeting_has_no_meeting_papers(client_of, alice, unsent):
    assert client_of(alice).get(choose_url(unsent)).status_code == 404


def test_a_former_secretariat_member_may_not_add_papers(client_of, board, police, unsent):
    former = UserFactory(organisation=police)
    MembershipFactory(person=former, board=board, role="secretariat", ends_on=date(2020, 1, 1))
    assert upload(client_of(former), unsent).status_code == 404
