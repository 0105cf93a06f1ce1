"""Publishing the forward plan (a version kept per publication), its downloads, its feed and its
public page, which shows a decision taken in private only as its paragraph."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from boards.models import Board
from forwardplan import services
from forwardplan.models import PublishedPlan
from meetings.models import ExemptParagraph

SLUG = "warwickshire"


@pytest.fixture
def planned(referred, police, fire, police_forum, fire_forum, meeting_of, plan):
    """Police decide in public (a key decision); Fire decide in private, paragraph 3."""
    referred.opportunity.title = "Shared Quetzal station"
    referred.opportunity.save(update_fields=["title"])
    public = plan(
        referred.referrals.get(organisation=police), meeting_of(police_forum, 40), key=True
    )
    private = plan(
        referred.referrals.get(organisation=fire),
        meeting_of(fire_forum, 45),
        private=True,
        paragraph=ExemptParagraph.FINANCIAL,
    )
    return public, private


def test_each_publication_is_kept_and_numbered_in_its_month(client_of, alice, planned, board):
    client = client_of(alice)
    client.post(reverse("forward_plan_publish", args=[SLUG]))
    first = PublishedPlan.objects.get()
    assert first.number == 1 and len(first.entries) == 2
    planned[0].forum_meeting.forum.meetings.update(location="changed")
    client.post(reverse("forward_plan_publish", args=[SLUG]))
    assert list(PublishedPlan.objects.order_by("number").values_list("number", flat=True)) == [
        1,
        2,
    ]
    first.refresh_from_db()
    assert len(first.entries) == 2
    listing = client.get(reverse("published_plans", args=[SLUG])).content.decode()
    assert "(version 1)" in listing and "(version 2)" in listing
    page = client.get(first.get_absolute_url()).content.decode()
    assert "Shared Quetzal station" in page
    assert "exempt, paragraph 3" in page


def test_the_downloads_carry_every_entry(client_of, bob, planned):
    client = client_of(bob)
    response = client.get(reverse("forward_plan_csv", args=[SLUG]))
    marking, *rows = csv.reader(
        io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))
    )
    assert marking == ["Handling marking: OFFICIAL"]
    assert rows[0][:3] == ["Meeting date", "Body", "Forum"]
    assert {row[1] for row in rows[1:]} == {
        "Warwickshire Police",
        "Warwickshire Fire and Rescue Service",
    }
    assert [row[6:9] for row in sorted(rows[1:])] == [["Yes", "No", ""], ["No", "Yes", "3"]]
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("forward_plan_xlsx", args=[SLUG])).content)
    )
    sheet = workbook.active
    assert sheet.max_row == 4  # the marking, the header and the two entries
    assert sheet.cell(row=1, column=1).value == "Handling marking: OFFICIAL"
    assert sheet.cell(row=3, column=6).value == "Shared Quetzal station"


def test_the_feed_hides_the_subject_of_a_private_decision(client, alice, planned):
    feed = services.plan_feed_of(person=alice)
    content = client.get(reverse("plan_feed", args=[feed.token])).content.decode()
    assert content.count("BEGIN:VEVENT") == 2
    assert "Private decision (exempt\\, paragraph 3)" in content
    assert content.count("Quetzal") == 1


def test_an_executive_feed_holds_only_their_bodys_decisions(client, pat, planned):
    feed = services.plan_feed_of(person=pat)
    content = client.get(reverse("plan_feed", args=[feed.token])).content.decode()
    assert content.count("BEGIN:VEVENT") == 1
    assert "Police" in content


def test_resetting_the_feed_retires_the_old_address(client_of, alice, planned):
    old = services.plan_feed_of(person=alice).token
    client = client_of(alice)
    client.post(reverse("plan_feed_reset", args=[SLUG]))
    assert client.get(reverse("plan_feed", args=[old])).status_code == 404


# --- the public page -----------------------------------------------------------------------------


def _public(client):
    return client.get(reverse("public_forward_plan", args=[SLUG]))


def test_the_public_forward_plan_is_off_with_the_public_pages(client, planned, board, alice):
    services.plan_publish(board=board, actor=alice)
    response = _public(client)
    assert response.status_code == 404
    assert "public pages are switched off" in response.content.decode()


def test_the_public_reads_the_published_plan_without_private_subjects(
    client, planned, board, alice
):
    Board.objects.filter(pk=board.pk).update(public_pages_enabled=True)
    assert "has not published a forward plan yet" in _public(client).content.decode()
    services.plan_publish(board=board, actor=alice)
    page = _public(client).content.decode()
    assert "Warwickshire Police" in page
    assert "Exempt item" in page
    assert "exempt, paragraph 3" in page
    # The subject appears once: the Police's public decision; never for Fire's private one.
    assert page.count("Shared Quetzal station") == 1
    assert "Do it." not in page  # the recommendation's wording stays inside the portal


def test_the_public_sees_the_published_version_not_later_changes(
    client, planned, board, alice, referred, council, council_forum, meeting_of, plan
):
    Board.objects.filter(pk=board.pk).update(public_pages_enabled=True)
    services.plan_publish(board=board, actor=alice)
    plan(referred.referrals.get(organisation=council), meeting_of(council_forum, 50))
    assert "Warwickshire County Council" not in _public(client).content.decode()
    services.plan_publish(board=board, actor=alice)
    assert "Warwickshire County Council" in _public(client).content.decode()


def test_another_boards_plan_is_not_shown(client, planned, board, alice, charlie):
    Board.objects.filter(slug="elsewhere").update(public_pages_enabled=True)
    services.plan_publish(board=board, actor=alice)
    page = client.get(reverse("public_forward_plan", args=["elsewhere"])).content.decode()
    assert "Quetzal" not in page


def test_the_public_rule_keeps_only_what_may_be_shown_of_each_row(planned, board, alice):
    from publicsite import permissions as public

    services.plan_publish(board=board, actor=alice)
    _version, rows = public.public_forward_plan(board)
    by_privacy = {row.values["private"]: row.values for row in rows}
    assert "title" not in by_privacy[True] and "reference" not in by_privacy[True]
    assert by_privacy[True]["exempt_paragraph"] == 3
    assert by_privacy[False]["title"] == "Shared Quetzal station"
    assert all("wording" not in row.values for row in rows)


# --- handling markings ----------------------------------------------------------------------------


def mark_sensitive(recommendation):
    from core.markings import Descriptor, Level

    type(recommendation).objects.filter(pk=recommendation.pk).update(
        marking=Level.OFFICIAL_SENSITIVE, marking_descriptors=Descriptor.COMMERCIAL
    )


def test_a_sensitive_recommendation_marks_the_downloads_and_is_not_named_in_the_feed(
    client, client_of, alice, bob, planned, referred
):
    mark_sensitive(referred)
    response = client_of(bob).get(reverse("forward_plan_csv", args=[SLUG]))
    first = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert first == "Handling marking: OFFICIAL-SENSITIVE COMMERCIAL"
    sheet = load_workbook(
        io.BytesIO(client_of(bob).get(reverse("forward_plan_xlsx", args=[SLUG])).content)
    ).active
    assert sheet.oddHeader.center.text == "OFFICIAL-SENSITIVE COMMERCIAL"
    page = client_of(bob).get(reverse("forward_plan", args=[SLUG])).content.decode()
    assert "Handling marking: </span>OFFICIAL-SENSITIVE COMMERCIAL" in page
    feed = services.plan_feed_of(person=alice)
    content = client.get(reverse("plan_feed", args=[feed.token])).content.decode()
    assert "Quetzal" not in content
    assert "OFFICIAL-SENSITIVE COMMERCIAL" in content


def test_the_public_plan_never_names_a_sensitive_recommendation(
    client, client_of, alice, planned, referred, board
):
    Board.objects.filter(pk=board.pk).update(public_pages_enabled=True)
    client_of(alice).post(reverse("forward_plan_publish", args=[SLUG]))
    client.logout()
    url = reverse("public_forward_plan", args=[SLUG])
    assert "Shared Quetzal station" in client.get(url).content.decode()
    mark_sensitive(referred)
    page = client.get(url).content.decode()
    assert "Quetzal" not in page
    assert "Not published — OFFICIAL-SENSITIVE" in page
    assert "Warwickshire Police" in page  # the body, forum and date stay
