"""A marking changed after the fact: by those who may change the thing, kept in its audit trail,
refused over a newer change, and followed at once by the public pages, the API and every
combination holding it (built again). Lowering a marking publishes nothing the other rules
keep private."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.marking_changes import VERB, marking_version
from audit.models import AuditEvent
from core.markings import Descriptor, Level
from meetings.models import Meeting
from publicsite import permissions
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


def url(kind, pk):
    return reverse("marking_change", kwargs={"kind": kind, "pk": pk})


def raise_to_sensitive(client, kind, thing, *descriptors):
    return client.post(
        url(kind, thing.pk),
        {
            "marking": Level.OFFICIAL_SENSITIVE,
            "marking_descriptors": list(descriptors),
            "version": marking_version(thing),
        },
    )


def test_raising_an_item_removes_it_from_the_public_page_and_api_at_once(
    client, client_of, alice, public_board, published_meeting, django_capture_on_commit_callbacks
):
    Meeting.objects.filter(pk=published_meeting.pk).update(pack_state=Meeting.FileState.READY)
    item = published_meeting.items.get(title="Joint training centre")
    page_url = reverse("public_meeting", args=[public_board.slug, published_meeting.pk])
    api_url = f"/api/public/{public_board.slug}/meetings/{published_meeting.pk}"
    assert "Joint training centre" in client.get(page_url).content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        response = raise_to_sensitive(
            client_of(alice), "agenda-item", item, Descriptor.PERSONAL, Descriptor.COMMERCIAL
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.handling.text == "OFFICIAL-SENSITIVE COMMERCIAL PERSONAL"
    client.logout()
    assert "Joint training centre" not in client.get(page_url).content.decode()
    assert b"Joint training centre" not in Client().get(api_url).content
    # The pack holding it is built again, and not published meanwhile.
    meeting = Meeting.objects.get(pk=published_meeting.pk)
    assert meeting.pack_state == Meeting.FileState.BUILDING
    assert not permissions.pack_is_public(meeting)
    event = AuditEvent.objects.for_subject(item).get(verb=VERB)
    assert event.actor == alice
    assert event.before == {"marking": "OFFICIAL"}
    assert event.after == {"marking": "OFFICIAL-SENSITIVE COMMERCIAL PERSONAL"}


def test_lowering_an_exempt_item_publishes_nothing(
    client, client_of, alice, public_board, published_meeting
):
    secret = published_meeting.items.get(title="Zephyr supplier pricing")
    secret.marking = Level.OFFICIAL_SENSITIVE
    secret.save()
    response = client_of(alice).post(
        url("agenda-item", secret.pk),
        {"marking": Level.OFFICIAL, "version": marking_version(secret)},
    )
    assert response.status_code == 302
    secret.refresh_from_db()
    assert not secret.is_sensitive
    client.logout()
    page_url = reverse("public_meeting", args=[public_board.slug, published_meeting.pk])
    assert "Zephyr" not in client.get(page_url).content.decode()


def test_a_newer_change_is_not_overwritten(client_of, alice, published_meeting):
    item = published_meeting.items.get(title="Joint training centre")
    opened = marking_version(item)
    assert raise_to_sensitive(client_of(alice), "agenda-item", item).status_code == 302
    stale = client_of(alice).post(
        url("agenda-item", item.pk), {"marking": Level.OFFICIAL, "version": opened}
    )
    assert stale.status_code == 400
    assert "was changed by someone else" in stale.content.decode()
    item.refresh_from_db()
    assert item.is_sensitive


def test_a_paper_and_its_current_version_change_together(client_of, alice, published_meeting):
    paper = PaperFactory(meeting=published_meeting, title="Estates annex")
    assert (
        raise_to_sensitive(client_of(alice), "paper", paper, Descriptor.LOCSEN).status_code == 302
    )
    paper.refresh_from_db()
    assert paper.handling.text == "OFFICIAL-SENSITIVE LOCSEN"
    assert paper.current_version.handling.text == "OFFICIAL-SENSITIVE LOCSEN"


def test_only_the_secretariat_changes_a_meetings_markings(
    client, client_of, bob, charlie, published_meeting
):
    item = published_meeting.items.get(title="Joint training centre")
    assert client_of(bob).get(url("agenda-item", item.pk)).status_code == 403
    assert raise_to_sensitive(client_of(bob), "agenda-item", item).status_code == 403
    assert client_of(charlie).get(url("agenda-item", item.pk)).status_code == 404
    client.logout()
    assert client.get(url("agenda-item", item.pk)).status_code == 302  # to sign in
    assert client_of(bob).get(url("nothing", item.pk)).status_code == 404
    item.refresh_from_db()
    assert not item.is_sensitive


def test_descriptors_without_official_sensitive_are_refused(client_of, alice, published_meeting):
    item = published_meeting.items.get(title="Joint training centre")
    response = client_of(alice).post(
        url("agenda-item", item.pk),
        {
            "marking": Level.OFFICIAL,
            "marking_descriptors": [Descriptor.PERSONAL],
            "version": marking_version(item),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Descriptors are used only with OFFICIAL-SENSITIVE." in page
    assert "<fieldset" in page and "<legend" in page  # the checkboxes, grouped and named


def test_the_meeting_page_offers_the_change_to_the_secretariat_only(
    client_of, alice, bob, published_meeting
):
    item = published_meeting.items.get(title="Joint training centre")
    link = url("agenda-item", item.pk)
    assert link in client_of(alice).get(published_meeting.get_absolute_url()).content.decode()
    assert link not in client_of(bob).get(published_meeting.get_absolute_url()).content.decode()


def test_a_decision_raised_leaves_the_public_decision_register_and_feed_at_once(
    client, client_of, erin, public_board, register, fire
):
    from opportunities.models import Referral, Status

    referral = register[Status.IN_DELIVERY].recommendations.get().referrals.get(organisation=fire)
    Referral.objects.filter(pk=referral.pk).update(reasons="Pelican estates reasons.")
    notice_url = reverse("public_decision", args=[public_board.slug, referral.pk])
    assert "Pelican" in client.get(notice_url).content.decode()
    response = raise_to_sensitive(client_of(erin), "decision", referral, Descriptor.COMMERCIAL)
    assert response.status_code == 302
    client.logout()
    assert client.get(notice_url).status_code == 404
    listing = client.get(reverse("public_decisions", args=[public_board.slug])).content.decode()
    assert notice_url not in listing
    feed = client.get(reverse("public_feed", args=[public_board.slug])).content.decode()
    assert notice_url not in feed
    assert referral.pk not in set(
        permissions.public_decisions(public_board).values_list("pk", flat=True)
    )


def test_lowering_an_item_of_an_unpublished_agenda_publishes_nothing(
    client, client_of, alice, public_board, scheduled_meeting
):
    item = scheduled_meeting.items.get()
    item.marking = Level.OFFICIAL_SENSITIVE
    item.save()
    response = client_of(alice).post(
        url("agenda-item", item.pk), {"marking": Level.OFFICIAL, "version": marking_version(item)}
    )
    assert response.status_code == 302
    client.logout()
    page = client.get(reverse("public_meeting", args=[public_board.slug, scheduled_meeting.pk]))
    assert "Narwhal" not in page.content.decode()


def test_a_papers_current_version_carries_the_paper_with_it(client_of, alice, published_meeting):
    paper = PaperFactory(meeting=published_meeting, title="Estates annex")
    version = paper.current_version
    versions_url = reverse("paper_versions", args=[published_meeting.pk, paper.pk])
    assert url("paper-version", version.pk) in client_of(alice).get(versions_url).content.decode()
    response = raise_to_sensitive(client_of(alice), "paper-version", version, Descriptor.PERSONAL)
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.handling.text == "OFFICIAL-SENSITIVE PERSONAL"


def test_the_marking_page_of_an_exempt_item_never_names_it_to_someone_kept_out_of_it(
    client_of, alice, bob, published_meeting
):
    # Bob may open the meeting (a member of its board) but was not invited, so its exempt
    # business is closed to him: the marking page is not found, and never says the item's title.
    secret = published_meeting.items.get(title="Zephyr supplier pricing")
    assert "Zephyr" not in client_of(bob).get(published_meeting.get_absolute_url()).content.decode()
    for response in (
        client_of(bob).get(url("agenda-item", secret.pk)),
        raise_to_sensitive(client_of(bob), "agenda-item", secret),
    ):
        assert response.status_code == 404
        assert "Zephyr" not in response.content.decode()
    assert client_of(alice).get(url("agenda-item", secret.pk)).status_code == 200
    secret.refresh_from_db()
    assert not secret.is_sensitive


def test_raising_the_item_a_recommendation_was_agreed_at_unpublishes_the_decisions_on_it(
    client, client_of, alice, public_board, register, published_meeting
):
    # The board agreed the control room's recommendation at an open item; once that item is
    # marked OFFICIAL-SENSITIVE, the bodies' decisions on it leave every public surface, as
    # decisions on business considered in private do.
    from meetings.models import AgreedRecommendation
    from opportunities.models import Status

    item = published_meeting.items.get(title="Joint training centre")
    recommendation = register[Status.IN_DELIVERY].recommendations.get()
    AgreedRecommendation.objects.create(recommendation=recommendation, agenda_item=item)
    referrals = list(recommendation.referrals.all())
    notice_urls = [
        reverse("public_decision", args=[public_board.slug, referral.pk]) for referral in referrals
    ]
    assert all(client.get(notice_url).status_code == 200 for notice_url in notice_urls)
    assert raise_to_sensitive(client_of(alice), "agenda-item", item).status_code == 302
    client.logout()
    for referral, notice_url in zip(referrals, notice_urls, strict=True):
        assert client.get(notice_url).status_code == 404
        api = Client().get(f"/api/public/{public_board.slug}/decisions/{referral.pk}")
        assert api.status_code == 404
    listing = client.get(reverse("public_decisions", args=[public_board.slug])).content.decode()
    feed = client.get(reverse("public_feed", args=[public_board.slug])).content.decode()
    for notice_url in notice_urls:
        assert notice_url not in listing and notice_url not in feed
    register_page = client.get(reverse("public_register", args=[public_board.slug]))
    assert "Joint control room" in register_page.content.decode()  # the collaboration stays
    assert not permissions.public_decisions(public_board).filter(recommendation=recommendation)
