"""The decision record of a referral: every step kept (deferral, answer, decision), the
clarification thread between an executive and the secretariat, a decision recorded on a body's
behalf with its evidence, and the body's dispute of it."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from opportunities import referral_services, services
from opportunities.models import Referral, ReferralDocument, Status
from tests.check_answers import post_and_confirm
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def record_url(referral):
    return reverse("referral_record", kwargs={"pk": referral.pk})


def notices(person, kind):
    return Notification.objects.filter(recipient=person, kind=kind)


def on_behalf(referral, alice, outcome="approved", **extra):
    referral.refresh_from_db()
    return referral_services.referral_record_on_behalf(
        referral=referral,
        actor=alice,
        outcome=outcome,
        reference=extra.pop("reference", "CAB/2026/31"),
        notes=extra.pop("notes", ""),
        seen_revision=referral.revision,
        decided_by=extra.pop("decided_by", None),
        notice=services.DecisionNoticeFields(
            decision_forum=extra.pop("forum", "Cabinet"),
            decision_taken_on=date(2026, 3, 12),
        ),
        **extra,
    )


# --- who may read the record ----------------------------------------------------------------


def test_joint_transparency_every_body_and_the_board_read_each_decision(
    client_of, referred, fire, police, erin, pat, cara, alice, bob
):
    referral = referral_for(referred, fire)
    decide(referral, erin, "approved_with_conditions", notes="Shared control room hours.")
    for person in (erin, pat, cara, alice, bob):
        page = client_of(person).get(record_url(referral))
        assert page.status_code == 200, person
        assert "Shared control room hours." in page.content.decode()


def test_the_record_is_hidden_from_another_board_and_an_unrelated_executive(
    client, client_of, referred, fire, charlie, outsider_org
):
    from tests.factories import AuthorityFactory

    referral = referral_for(referred, fire)
    stranger = AuthorityFactory(organisation=outsider_org).person
    assert client_of(charlie).get(record_url(referral)).status_code == 404
    assert client_of(stranger).get(record_url(referral)).status_code == 404
    client.logout()
    assert client.get(record_url(referral))["Location"].startswith("/sign-in/")


def test_an_unsent_referral_has_no_record(client_of, assessed, record, fire, alice):
    recommendation = record(assessed, [fire])
    referral = referral_for(recommendation, fire)
    assert client_of(alice).get(record_url(referral)).status_code == 404


def test_the_record_shows_every_step_not_only_the_last(client_of, referred, fire, erin, alice):
    referral = referral_for(referred, fire)
    decide(referral, erin, "deferred", reference="FRA/D1", notes="Send the estates survey.")
    referral_services.referral_answer(referral=referral, actor=alice, answer="Survey attached.")
    decide(referral, erin, "approved", reference="FRA/7")
    page = client_of(alice).get(record_url(referral)).content.decode()
    for text in ("FRA/D1", "Send the estates survey.", "Survey attached.", "FRA/7"):
        assert text in page
    executive_page = client_of(erin).get(referral.get_absolute_url()).content.decode()
    assert "Send the estates survey." in executive_page and "Survey attached." in executive_page
    opportunity_page = client_of(alice).get(referred.opportunity.get_absolute_url())
    assert "History (3 steps)" in opportunity_page.content.decode()


# --- the clarification thread ------------------------------------------------------------------


def test_an_executive_asks_and_the_secretariat_is_told(client_of, referred, fire, erin, alice):
    referral = referral_for(referred, fire)
    response = client_of(erin).post(
        reverse("referral_ask", kwargs={"pk": referral.pk}),
        {"question": "Which stations are in scope?"},
    )
    assert response.status_code == 302
    assert referral.events.get().note == "Which stations are in scope?"
    notice = notices(alice, Notification.Kind.CLARIFICATION).get()
    assert notice.link == record_url(referral)
    assert not notices(erin, Notification.Kind.CLARIFICATION).exists()  # not the asker
    home = client_of(alice).get(reverse("home")).content.decode()
    assert "Executives&#x27; questions to answer" in home or "Executives' questions" in home


def test_the_secretariat_answers_and_the_executive_is_told(client_of, referred, fire, erin, alice):
    referral = referral_for(referred, fire)
    referral_services.referral_ask(referral=referral, actor=erin, question="Which stations?")
    response = client_of(alice).post(
        reverse("referral_answer", kwargs={"pk": referral.pk}),
        {"answer": "Leamington and Warwick.", "document": SimpleUploadedFile("map.pdf", PDF)},
    )
    assert response.status_code == 302
    answer = referral.events.get(kind="answer")
    assert answer.note == "Leamington and Warwick."
    assert answer.documents.get().original_name == "map.pdf"
    notice = notices(erin, Notification.Kind.CLARIFICATION).get()
    assert "answer" in notice.subject
    assert not referral_services.awaits_answer(referral)


def test_the_secretariat_may_ask_for_the_executive_and_the_executive_is_told(
    referred, fire, erin, alice
):
    referral = referral_for(referred, fire)
    referral_services.referral_ask(referral=referral, actor=alice, question="Phoned in: costs?")
    assert notices(erin, Notification.Kind.CLARIFICATION).exists()


def test_an_answer_with_nothing_asked_is_refused(referred, fire, alice):
    with pytest.raises(referral_services.WorkflowError, match="no question"):
        referral_services.referral_answer(
            referral=referral_for(referred, fire), actor=alice, answer="Unasked."
        )


def test_questions_and_answers_are_refused_to_the_wrong_people(
    client_of, referred, fire, bob, pat, charlie, erin
):
    referral = referral_for(referred, fire)
    ask = reverse("referral_ask", kwargs={"pk": referral.pk})
    answer = reverse("referral_answer", kwargs={"pk": referral.pk})
    assert client_of(bob).post(ask, {"question": "?"}).status_code == 404
    assert client_of(pat).post(ask, {"question": "?"}).status_code == 404
    assert client_of(charlie).post(ask, {"question": "?"}).status_code == 404
    referral_services.referral_ask(referral=referral, actor=erin, question="Scope?")
    assert client_of(erin).post(answer, {"answer": "!"}).status_code == 404
    assert client_of(bob).post(answer, {"answer": "!"}).status_code == 404
    assert referral.events.count() == 1


def test_an_empty_question_is_refused_with_a_message(client_of, referred, fire, erin):
    referral = referral_for(referred, fire)
    response = client_of(erin).post(
        reverse("referral_ask", kwargs={"pk": referral.pk}), {"question": " "}, follow=True
    )
    assert "Write the question" in response.content.decode()
    assert not referral.events.exists()


# --- recorded on the body's behalf -----------------------------------------------------------


def test_secretariat_records_a_decision_on_a_bodys_behalf_with_evidence(
    client_of, referred, council, cara, alice
):
    referral = referral_for(referred, council)
    client = client_of(alice)
    url = reverse("referral_on_behalf", kwargs={"pk": referral.pk})
    assert client.get(url).status_code == 200
    response = post_and_confirm(
        client,
        url,
        {
            "decided_by": "",
            "decision_forum": "Cabinet",
            "decision_taken_on": "2026-03-12",
            "outcome": "approved",
            "reference": "CAB/2026/31",
            "notes": "",
            "revision": referral.revision,
            "document": SimpleUploadedFile("minute.pdf", PDF),
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.on_behalf, referral.recorded_by, referral.decided_by) == (
        "approved",
        True,
        alice,
        None,
    )
    assert (referral.decision_forum, referral.decision_taken_on) == ("Cabinet", date(2026, 3, 12))
    assert referral.decider == (
        "Cabinet (recorded by Alice Archer on behalf of Warwickshire County Council)"
    )
    assert ReferralDocument.objects.get(referral=referral).event.on_behalf
    page = client.get(record_url(referral)).content.decode()
    assert (
        "Recorded by Alice Archer on behalf of Warwickshire County Council; decided by "
        "Cabinet on 12 March 2026" in page
    )
    notice = notices(cara, Notification.Kind.DECISION_ON_BEHALF).get()
    until = timezone.localdate() + timedelta(days=5)
    assert notice.payload["dispute_until"] == f"{until:%-d %B %Y}"


def test_a_named_executive_must_hold_authority_for_the_body(referred, council, erin, alice):
    with pytest.raises(services.ReferralNotDecidable, match="does not hold executive authority"):
        on_behalf(referral_for(referred, council), alice, decided_by=erin)


def test_the_form_asks_for_the_executive_or_the_forum(client_of, referred, council, alice):
    referral = referral_for(referred, council)
    response = client_of(alice).post(
        reverse("referral_on_behalf", kwargs={"pk": referral.pk}),
        {
            "outcome": "approved",
            "reference": "X",
            "revision": referral.revision,
            "decision_forum": "",
        },
    )
    assert response.status_code == 200
    assert "Name the executive or the forum" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == "pending"


def test_recording_on_behalf_is_refused_to_others(
    client, client_of, referred, council, bob, cara, erin, charlie
):
    referral = referral_for(referred, council)
    url = reverse("referral_on_behalf", kwargs={"pk": referral.pk})
    assert client_of(bob).get(url).status_code == 404
    assert client_of(cara).get(url).status_code == 404  # the executive decides on their own page
    assert client_of(erin).get(url).status_code == 404
    assert client_of(charlie).get(url).status_code == 404
    client.logout()
    assert client.get(url)["Location"].startswith("/sign-in/")


def test_recording_on_behalf_on_a_closed_opportunity_is_refused(
    client_of, referred, council, alice
):
    opportunity = referred.opportunity
    opportunity.refresh_from_db()
    services.opportunity_transition(
        opportunity=opportunity, actor=alice, to=Status.WITHDRAWN, reason="Dropped"
    )
    with pytest.raises(services.ReferralNotDecidable, match="closed"):
        on_behalf(referral_for(referred, council), alice)
    url = reverse("referral_on_behalf", kwargs={"pk": referral_for(referred, council).pk})
    assert "closed" in client_of(alice).get(url, follow=True).content.decode()


# --- disputed ---------------------------------------------------------------------------------


def test_the_executive_disputes_and_the_referral_reopens_with_the_dispute_on_record(
    client_of, referred, council, cara, alice
):
    referral = referral_for(referred, council)
    on_behalf(referral, alice, outcome="declined")
    referred.opportunity.refresh_from_db()
    assert referred.opportunity.status == Status.NOT_APPROVED
    response = client_of(cara).post(
        reverse("referral_dispute", kwargs={"pk": referral.pk}),
        {"reason": "Cabinet deferred it; it did not decline."},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "pending" and not referral.on_behalf
    kinds = list(referral.events.values_list("kind", flat=True))
    assert kinds == ["decision", "dispute"]
    referred.opportunity.refresh_from_db()
    assert referred.opportunity.status == Status.AWAITING_DECISIONS
    # The referrals the declined outcome closed are open again.
    assert set(referred.referrals.values_list("status", flat=True)) == {"pending"}
    assert notices(alice, Notification.Kind.DECISION_DISPUTED).exists()
    page = client_of(alice).get(record_url(referral)).content.decode()
    assert "Cabinet deferred it; it did not decline." in page


def test_a_dispute_after_the_window_is_refused(referred, council, cara, alice, settings):
    settings.DECISION_DISPUTE_DAYS = 5
    referral = referral_for(referred, council)
    on_behalf(referral, alice)
    with (
        time_machine.travel(timezone.now() + timedelta(days=6)),
        pytest.raises(referral_services.WorkflowError, match="time to dispute"),
    ):
        referral_services.referral_dispute(referral=referral, actor=cara, reason="No.")


def test_only_the_bodys_executive_may_dispute_and_only_a_decision_made_for_it(
    client_of, referred, council, fire, cara, erin, bob, alice
):
    referral = referral_for(referred, council)
    on_behalf(referral, alice)
    url = reverse("referral_dispute", kwargs={"pk": referral.pk})
    assert client_of(erin).post(url, {"reason": "No."}).status_code == 404
    assert client_of(bob).post(url, {"reason": "No."}).status_code == 404
    assert client_of(alice).post(url, {"reason": "No."}).status_code == 404
    own = referral_for(referred, fire)
    decide(own, erin)
    with pytest.raises(referral_services.WorkflowError, match="Only a decision recorded"):
        referral_services.referral_dispute(referral=own, actor=erin, reason="Changed my mind")
    assert Referral.objects.get(pk=referral.pk).status == "approved"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("referral_ask", {"question": "Scope?"}),
        ("referral_answer", {"answer": "All of it."}),
        ("referral_dispute", {"reason": "Not ours."}),
        (
            "referral_on_behalf",
            {"outcome": "approved", "reference": "X", "decision_forum": "Cabinet"},
        ),
    ],
)
def test_each_step_is_refused_to_another_board_and_anonymous(
    client, client_of, referred, council, charlie, name, data
):
    referral = referral_for(referred, council)
    url = reverse(name, kwargs={"pk": referral.pk})
    data = {**data, "revision": referral.revision}
    assert client_of(charlie).post(url, data).status_code == 404
    assert client_of(charlie).post(url, {"confirm": "yes"}).status_code == 404
    client.logout()
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    assert not referral.events.exists()
    assert Referral.objects.get(pk=referral.pk).status == "pending"


def test_the_steps_refuse_get(client_of, referred, council, cara, alice):
    referral = referral_for(referred, council)
    for name, person in (("referral_ask", cara), ("referral_answer", alice)):
        url = reverse(name, kwargs={"pk": referral.pk})
        assert client_of(person).get(url).status_code == 405
    url = reverse("referral_dispute", kwargs={"pk": referral.pk})
    assert client_of(cara).get(url).status_code == 405
