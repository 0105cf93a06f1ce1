from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from opportunities import services
from opportunities.models import Recommendation, Referral, Status
from tests.check_answers import confirm_step
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def new_url(opportunity):
    return reverse("recommendation_new", kwargs={"pk": opportunity.pk})


def form_data(*bodies, **changes):
    data = {
        "wording": "The board recommends co-location.",
        "agreed_on": (TODAY() - timedelta(days=2)).isoformat(),
        "decision_due_on": (TODAY() + timedelta(days=30)).isoformat(),
        "organisations": [body.pk for body in bodies],
    }
    data.update(changes)
    return data


def test_form_offers_the_participating_bodies_by_default(client_of, alice, assessed, police, fire):
    form = client_of(alice).get(new_url(assessed)).context["form"]
    assert set(form.initial["organisations"]) == {police.pk, fire.pk}


def test_secretariat_records_a_recommendation_with_one_unsent_referral_per_body(
    client_of, alice, assessed, police, fire, council
):
    response = client_of(alice).post(new_url(assessed), form_data(police, fire, council))
    assert response.status_code == 302
    recommendation = Recommendation.objects.get()
    assert recommendation.version == 1
    assert sorted(recommendation.referrals.values_list("organisation__short_name", flat=True)) == [
        "Police",
        "WCC",
        "WFRS",
    ]
    assert not recommendation.referrals.filter(sent_at__isnull=False).exists()
    assessed.refresh_from_db()
    assert assessed.status == Status.RECOMMENDED
    assert AuditEvent.objects.for_subject(assessed).filter(verb="recommendation").exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"wording": ""}, "Enter the recommendation"),
        ({"organisations": []}, "Choose at least one of “Refer to the executives of”"),
        (
            {"decision_due_on": -5},
            "Decisions cannot be due before the date agreed.",
        ),
        (
            {"agreed_on": +1},
            "The date agreed cannot be in the future.",
        ),
        ({"agreed_on": "31/02/2026"}, "Enter a valid date."),
    ],
    ids=["no wording", "no bodies", "due before agreed", "agreed in future", "bad date"],
)
def test_bad_input_is_refused_and_nothing_saved(
    client_of, alice, assessed, police, changes, message
):
    # Whole numbers are days from today, worked out when the test runs (not when it is
    # collected, which may be the day before).
    changes = {
        key: (TODAY() + timedelta(days=value)).isoformat() if isinstance(value, int) else value
        for key, value in changes.items()
    }
    response = client_of(alice).post(new_url(assessed), form_data(police, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Recommendation.objects.exists()


def test_a_body_outside_the_board_is_refused(client_of, alice, assessed, outsider_org):
    response = client_of(alice).post(new_url(assessed), form_data(outsider_org))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Recommendation.objects.exists()


def test_no_recommendation_while_only_proposed(client_of, alice, opportunity, police):
    response = client_of(alice).post(new_url(opportunity), form_data(police), follow=True)
    assert "A recommendation cannot be recorded while" in response.content.decode()
    assert not Recommendation.objects.exists()


def test_member_executive_and_outsider_may_not_record(
    client_of, bob, erin, charlie, assessed, police
):
    assert client_of(bob).post(new_url(assessed), form_data(police)).status_code == 403
    assert client_of(erin).post(new_url(assessed), form_data(police)).status_code == 404
    assert client_of(charlie).post(new_url(assessed), form_data(police)).status_code == 404
    assert not Recommendation.objects.exists()


def test_sending_refers_to_each_body_and_tells_its_executives(
    client_of, alice, assessed, record, police, fire, erin, pat, django_capture_on_commit_callbacks
):
    recommendation = record(assessed, [police, fire])
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_step(
            client_of(alice), reverse("recommendation_send", kwargs={"pk": recommendation.pk}), {}
        )
    assert response.status_code == 302
    assessed.refresh_from_db()
    assert assessed.status == Status.AWAITING_DECISIONS
    assert recommendation.referrals.filter(sent_at__isnull=False).count() == 2
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["erin@fire.example", "pat@police.example"]
    to_erin = next(m for m in mail.outbox if m.to == ["erin@fire.example"])
    fire_referral = referral_for(recommendation, fire)
    assert f"https://portal.example.org/referrals/{fire_referral.pk}/" in to_erin.body
    assert "Fire and Rescue Authority" in to_erin.subject


def test_sending_twice_is_refused(client_of, alice, assessed, record, police):
    recommendation = record(assessed, [police])
    client = client_of(alice)
    confirm_step(client, reverse("recommendation_send", kwargs={"pk": recommendation.pk}), {})
    response = client.post(
        reverse("recommendation_send", kwargs={"pk": recommendation.pk}),
        {"confirm": "yes"},
        follow=True,
    )
    assert "already been sent" in response.content.decode()
    assert AuditEvent.objects.for_subject(assessed).filter(verb="referred").count() == 1


def test_member_may_not_send(client_of, bob, assessed, record, police):
    recommendation = record(assessed, [police])
    assert (
        client_of(bob)
        .post(reverse("recommendation_send", kwargs={"pk": recommendation.pk}))
        .status_code
        == 403
    )
    confirmed = client_of(bob).post(
        reverse("recommendation_send", kwargs={"pk": recommendation.pk}), {"confirm": "yes"}
    )
    assert confirmed.status_code == 403
    assert not Referral.objects.filter(sent_at__isnull=False).exists()


def test_revised_recommendation_is_a_new_version_and_earlier_decisions_stay(
    client_of, alice, referred, record, police, fire, council, pat, erin
):
    decide(referral_for(referred, police), pat, "approved")
    decide(referral_for(referred, fire), erin, "deferred", notes="Need the costs.")
    opportunity = referred.opportunity
    revised = record(
        opportunity, [police, fire, council], wording="Revised: co-locate in phase two."
    )
    assert revised.version == 2
    referred.refresh_from_db()
    assert referred.superseded_at is not None
    assert referral_for(referred, police).status == Referral.Status.APPROVED
    assert referral_for(referred, fire).status == Referral.Status.SUPERSEDED
    assert referral_for(referred, council).status == Referral.Status.SUPERSEDED
    page = client_of(alice).get(opportunity.get_absolute_url()).content.decode()
    assert "Version 2" in page and "Version 1" in page
    assert "Superseded" in page
    assert "Revised: co-locate in phase two." in page


def test_a_superseded_referral_cannot_be_decided(referred, record, fire, erin, police, council):
    old = referral_for(referred, fire)
    record(referred.opportunity, [police, fire, council])
    with pytest.raises(services.ReferralNotDecidable, match="revised recommendation has replaced"):
        decide(old, erin)


def test_date_fields_are_day_month_and_year_boxes_filled_with_today(client_of, alice, assessed):
    body = client_of(alice).get(new_url(assessed)).content.decode()
    today = TODAY()
    assert 'type="date"' not in body
    for part, value in (("day", today.day), ("month", today.month), ("year", today.year)):
        assert f'name="agreed_on_{part}" value="{value}"' in body
