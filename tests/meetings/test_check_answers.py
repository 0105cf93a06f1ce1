"""Approving minutes and cancelling a meeting are checked first (GOV.UK's "Check your answers"):
nothing changes until the check page's own button is pressed."""

import pytest
from django.core import mail
from django.urls import reverse

from core.check_answers import CONFIRM_FIELD
from meetings.models import Meeting

pytestmark = pytest.mark.django_db
S = Meeting.Status


def transition_url(meeting):
    return reverse("meeting_transition", kwargs={"pk": meeting.pk})


def cancel_url(meeting):
    return reverse("meeting_cancel", kwargs={"pk": meeting.pk})


@pytest.fixture
def drafted(held):
    item = held.items.get()
    item.minutes = "Agreed to share the depot."
    item.minute_reference = "JAB/2026/7"
    item.save()
    Meeting.objects.filter(pk=held.pk).update(status=S.MINUTES_DRAFTED)
    held.refresh_from_db()
    return held


def test_the_chair_sees_what_approving_the_minutes_does_before_it_is_done(client_of, drafted, dave):
    response = client_of(dave).post(transition_url(drafted), {"to": S.MINUTES_APPROVED})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Check before you approve the minutes of Winter meeting" in page
    assert "1 of 1 agenda item minuted" in page
    assert "JAB/2026/7" in page
    assert "Dave" in page  # who approves them
    assert 'name="confirm" value="yes"' in page
    assert 'name="to" value="minutes_approved"' in page
    assert Meeting.objects.get(pk=drafted.pk).status == S.MINUTES_DRAFTED


def test_confirming_approves_the_minutes(client_of, drafted, dave):
    response = client_of(dave).post(
        transition_url(drafted), {"to": S.MINUTES_APPROVED, CONFIRM_FIELD: "yes"}
    )
    assert response.status_code == 302
    drafted.refresh_from_db()
    assert drafted.status == S.MINUTES_APPROVED and drafted.minutes_approved_by == dave


@pytest.mark.parametrize(("person", "status"), [("alice", 403), ("bob", 403), ("charlie", 404)])
def test_only_a_chair_may_see_the_check_or_confirm(client_of, request, drafted, person, status):
    client = client_of(request.getfixturevalue(person))
    assert client.post(transition_url(drafted), {"to": S.MINUTES_APPROVED}).status_code == status
    confirmed = client.post(
        transition_url(drafted), {"to": S.MINUTES_APPROVED, CONFIRM_FIELD: "yes"}
    )
    assert confirmed.status_code == status
    assert Meeting.objects.get(pk=drafted.pk).status == S.MINUTES_DRAFTED


def test_anonymous_confirmation_is_sent_to_sign_in(client, drafted):
    response = client.post(transition_url(drafted), {"to": S.MINUTES_APPROVED, "confirm": "yes"})
    assert response["Location"].startswith("/sign-in/")
    assert Meeting.objects.get(pk=drafted.pk).status == S.MINUTES_DRAFTED


def test_cancelling_shows_the_reason_and_who_is_told_before_anything_is_sent(
    client_of, published, alice
):
    client = client_of(alice)
    sent = client.post(cancel_url(published), {"reason": "Too few bodies can attend."})
    assert sent.status_code == 302 and sent["Location"] == cancel_url(published) + "?check"
    assert Meeting.objects.get(pk=published.pk).status == S.PAPERS_PUBLISHED
    assert mail.outbox == []
    page = client.get(sent["Location"]).content.decode()
    assert "Check before you cancel Winter meeting" in page
    assert "Too few bodies can attend." in page
    assert "4 invitees, by email" in page
    assert f'href="{cancel_url(published)}?change#id_reason"' in page
    # "Change" opens the form with the reason as it was typed.
    change = client.get(cancel_url(published) + "?change").content.decode()
    assert "Too few bodies can attend.</textarea>" in change


def test_confirming_cancels_with_the_kept_reason(
    client_of, published, alice, django_capture_on_commit_callbacks
):
    client = client_of(alice)
    client.post(cancel_url(published), {"reason": "Too few bodies can attend."})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url(published), {CONFIRM_FIELD: "yes", "reason": "other"})
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == S.CANCELLED
    assert published.cancelled_reason == "Too few bodies can attend."


def test_a_confirmation_without_a_kept_reason_cancels_nothing(client_of, published, alice):
    response = client_of(alice).post(cancel_url(published), {CONFIRM_FIELD: "yes"}, follow=True)
    assert "Your answers were not kept" in response.content.decode()
    assert Meeting.objects.get(pk=published.pk).status == S.PAPERS_PUBLISHED


@pytest.mark.parametrize(("person", "status"), [("bob", 403), ("dave", 403), ("charlie", 404)])
def test_only_the_secretariat_may_check_or_confirm_a_cancellation(
    client_of, request, published, alice, person, status
):
    client_of(alice).post(cancel_url(published), {"reason": "Too few bodies."})
    client = client_of(request.getfixturevalue(person))
    assert client.get(cancel_url(published) + "?check").status_code == status
    assert client.post(cancel_url(published), {CONFIRM_FIELD: "yes"}).status_code == status
    assert Meeting.objects.get(pk=published.pk).status == S.PAPERS_PUBLISHED
