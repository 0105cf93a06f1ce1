"""Every public endpoint answers what its public page shows — the same items, in the same
order, with the fields the page shows — and each goes through the pages' one publication rule:
an exempt decision, an OFFICIAL-SENSITIVE recommendation, anything not yet published and a board
whose public pages are off never leak. Bad input is a 400 or a 404 with a sentence, never a 500,
and each list costs the same queries at two sizes.

The business (beside the public pages' own, from tests/publicsite): a collaboration agreed in
private ("Bittern" in its decisions), an approved collaboration whose recommendation is
OFFICIAL-SENSITIVE ("Osprey"), milestones on delivering collaborations and one on a collaboration
not approved ("Puffin"), the feed's events, and a forward plan published with a decision in
public and one in private, then a decision planned and the collaboration renamed ("Dodo")
after publication."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record
from boards.models import Board
from core.markings import Descriptor, Level
from forwardplan import services as plan_services
from meetings.models import AgendaItem, AgreedRecommendation, ExemptParagraph, Meeting
from opportunities.models import Milestone, Opportunity, Recommendation, Referral, Status
from publicsite import permissions
from tests.factories import MeetingFactory
from tests.publicsite.conftest import SECRETS, leaks

pytestmark = pytest.mark.django_db

SLUG = "warwickshire"
API = f"/api/public/{SLUG}"
LISTS = [
    "meetings",
    "register",
    "delivery",
    "decisions",
    "not-pursued",
    "forward-plan",
    "published",
]
NEW_LISTS = ["delivery", "decisions", "forward-plan", "published"]
# Words only the unpublished, exempt or OFFICIAL-SENSITIVE things of this module carry.
HIDDEN = ["Bittern", "Osprey", "Puffin", "Dodo"]
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def world(
    public_board,
    approved_meeting,
    drafted_meeting,
    scheduled_meeting,
    published_meeting,
    draft_meeting,
    cancelled_meeting,
    other_board_business,
    register,
    referred,
    alice,
    police,
    fire,
    council,
    police_forum,
    fire_forum,
    council_forum,
    meeting_of,
    plan,
):
    Board.objects.filter(pk=public_board.pk).update(public_not_pursued=True)
    Opportunity.objects.filter(pk=register[Status.WITHDRAWN].pk).update(
        not_pursued_on=timezone.localdate(), not_pursued_reason="Funding ended."
    )
    # Exempt: the board agreed this collaboration's recommendation in private.
    workshop = register[Status.IMPLEMENTED]
    exempt_item = approved_meeting.items.get(confidential=True)
    AgreedRecommendation.objects.create(
        recommendation=workshop.recommendations.get(), agenda_item=exempt_item
    )
    workshop.recommendations.get().referrals.update(
        decision_reference="Bittern/REF/1", conditions="Bittern condition."
    )
    # OFFICIAL-SENSITIVE: an approved collaboration's recommendation in force.
    southam = register[Status.APPROVED]
    Opportunity.objects.filter(pk=southam.pk).update(title="Osprey shared station")
    Recommendation.objects.filter(opportunity=southam).update(
        marking=Level.OFFICIAL_SENSITIVE, marking_descriptors={Descriptor.COMMERCIAL}
    )
    Milestone.objects.create(
        opportunity=southam, title="Osprey site bought", due_on=_day(20), created_by=alice
    )
    # Delivery: milestones of collaborations in the register, and one where there is none.
    control_room = register[Status.IN_DELIVERY]
    for title, percent in (("Staff trained", 40), ("Systems joined", 90)):
        Milestone.objects.create(
            opportunity=control_room,
            title=title,
            description=f"{title} across both services.",
            due_on=_day(percent),
            percent_complete=percent,
            created_by=alice,
        )
    Milestone.objects.create(
        opportunity=register["closed_approved"],
        title="Campaign run",
        due_on=_day(-10),
        percent_complete=100,
        created_by=alice,
    )
    Milestone.objects.create(
        opportunity=register[Status.NOT_APPROVED],
        title="Puffin milestone",
        due_on=_day(30),
        created_by=alice,
    )
    # The feed's events; the draft meeting's and the unapproved minutes' must not show.
    for meeting, status in (
        (approved_meeting, Meeting.Status.PAPERS_PUBLISHED),
        (approved_meeting, Meeting.Status.MINUTES_APPROVED),
        (published_meeting, Meeting.Status.PAPERS_PUBLISHED),
        (cancelled_meeting, Meeting.Status.CANCELLED),
        (draft_meeting, Meeting.Status.PAPERS_PUBLISHED),
        (drafted_meeting, Meeting.Status.MINUTES_APPROVED),
    ):
        audit_record(subject=meeting, actor=alice, verb=f"meeting.{status}", summary=status)
    # The forward plan: published with a public and a private decision; one planned after.
    plan(referred.referrals.get(organisation=police), meeting_of(police_forum, 40), key=True)
    plan(
        referred.referrals.get(organisation=fire),
        meeting_of(fire_forum, 45),
        private=True,
        paragraph=ExemptParagraph.FINANCIAL,
    )
    plan_services.plan_publish(board=public_board, actor=alice)
    plan(referred.referrals.get(organisation=council), meeting_of(council_forum, 50))
    Opportunity.objects.filter(pk=referred.opportunity_id).update(title="Dodo station")
    return public_board


def _day(days: int):
    return timezone.localdate() + timedelta(days=days)


def everything(path: str, **query: str) -> list[dict]:
    """Every row of a public list (asked with ``query``), following its pages two at a time."""
    rows: list[dict] = []
    url: str | None = f"{API}/{path}?{urlencode({**query, 'limit': 2})}"
    while url:
        response = Client().get(url)
        assert response.status_code == 200, (url, response.content)
        body = response.json()
        rows += body["results"]
        url = body["next"]
    return rows


def _page(client, name: str, *args):
    response = client.get(reverse(name, args=[SLUG, *args]))
    assert response.status_code == 200
    return response


# --- the same as the pages ------------------------------------------------------------------


def test_meetings_are_the_meetings_page_in_its_order(world, client):
    page = _page(client, "public_meeting_list")
    rows = everything("meetings")
    now = timezone.now()
    upcoming = [row for row in rows if row["ends_at"] >= now.isoformat()]
    past = [row for row in rows if row["ends_at"] < now.isoformat()]
    # The page lists what is coming soonest first, then what was held newest first; the API
    # lists them all newest first.
    assert [(r["id"], r["title"], r["status_label"]) for r in reversed(upcoming)] == [
        (m.pk, m.title, m.public_status) for m in page.context["upcoming"]
    ]
    assert [(r["id"], r["title"], r["status_label"]) for r in past] == [
        (m.pk, m.title, m.public_status) for m in page.context["past"]
    ]
    assert len(rows) == 5


def _shown(rows: list[dict]) -> list[tuple]:
    return [
        (r["id"], r["title"], r["status_label"], datetime.fromisoformat(r["starts_at"]))
        for r in rows
    ]


def _listed(meetings) -> list[tuple]:
    # JSON carries times to the millisecond.
    return [
        (
            m.pk,
            m.title,
            m.public_status,
            m.starts_at.replace(microsecond=m.starts_at.microsecond // 1000 * 1000),
        )
        for m in meetings
    ]


def test_upcoming_meetings_are_the_pages_upcoming_list_in_its_order(world, client):
    page = _page(client, "public_meeting_list")
    rows = everything("meetings", when="upcoming")
    assert _shown(rows) == _listed(page.context["upcoming"])
    assert len(rows) == page.context["upcoming_count"] >= 2
    assert [r["starts_at"] for r in rows] == sorted(r["starts_at"] for r in rows)


def test_past_meetings_are_the_pages_past_list_in_its_order(world, client):
    page = _page(client, "public_meeting_list")
    rows = everything("meetings", when="past")
    assert _shown(rows) == _listed(page.context["past"])
    assert len(rows) == page.context["page"].paginator.count >= 2
    assert [r["starts_at"] for r in rows] == sorted((r["starts_at"] for r in rows), reverse=True)


@pytest.mark.parametrize("when", ["upcoming", "past"])
def test_the_next_page_keeps_to_the_same_list(world, when):
    first = Client().get(f"{API}/meetings?when={when}&limit=1").json()
    assert f"when={when}" in first["next"]
    second = Client().get(first["next"]).json()
    listed = {row["id"] for row in everything("meetings", when=when)}
    assert {first["results"][0]["id"], second["results"][0]["id"]} <= listed


def test_upcoming_and_past_together_are_every_public_meeting(world):
    upcoming = {row["id"] for row in everything("meetings", when="upcoming")}
    past = {row["id"] for row in everything("meetings", when="past")}
    assert not upcoming & past
    assert upcoming | past == {row["id"] for row in everything("meetings")}


def test_a_meeting_under_way_is_upcoming_on_the_page_and_in_the_api(world, alice, client):
    """Started an hour ago, ending in an hour: not over, so listed with what is to come."""
    now = timezone.now()
    under_way: Meeting = MeetingFactory(  # type: ignore[assignment]
        board=world,
        created_by=alice,
        title="Meeting under way",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
        status=Meeting.Status.PAPERS_PUBLISHED,
    )
    page = _page(client, "public_meeting_list")
    assert under_way in page.context["upcoming"]
    assert under_way.pk in {row["id"] for row in everything("meetings", when="upcoming")}
    assert under_way.pk not in {row["id"] for row in everything("meetings", when="past")}


@pytest.mark.parametrize("when", ["soon", "UPCOMING", "", "past,upcoming"])
def test_an_unknown_when_is_a_400_with_a_sentence(world, when):
    answer = Client().get(f"{API}/meetings?{urlencode({'when': when})}")
    assert answer.status_code == 400
    detail = answer.json()["detail"]
    assert detail.startswith("The request is not valid — when:")
    assert "'upcoming' or 'past'" in detail


def test_a_meeting_is_its_page(world, client):
    for meeting in permissions.public_meetings(world):
        page = _page(client, "public_meeting", meeting.pk)
        answer = Client().get(f"{API}/meetings/{meeting.pk}").json()
        assert answer["agenda_is_public"] == page.context["agenda_is_public"]
        assert answer["minutes_are_public"] == page.context["minutes_are_public"]
        items = page.context["items"] if page.context["agenda_is_public"] else []
        minutes = page.context["minutes_are_public"]
        assert [(i["number"], i["withheld"], i["minutes"]) for i in answer["items"]] == [
            (item.number, False, item.minutes if minutes else None)
            if isinstance(item, AgendaItem)
            else (item.number, True, None)
            for item in items
        ]


def _decisions_of(opportunity) -> list[tuple]:
    return [
        (r.pk, r.organisation.name, r.status_label, r.decision_reference, r.conditions)
        for r in opportunity.decisions
    ]


def _milestones_of(opportunity) -> list[tuple]:
    return [
        (m.title, m.description, m.due_on.isoformat(), m.percent_complete)
        for m in opportunity.milestone_list
    ]


def test_the_register_is_its_page_with_decisions_and_delivery(world, client):
    page = _page(client, "public_register")
    shown = page.context["opportunities"]
    rows = everything("register")
    assert [(r["id"], r["reference"], r["title"], r["status_label"]) for r in rows] == [
        (o.pk, o.reference, o.title, o.status_label) for o in shown
    ]
    for row, opportunity in zip(rows, shown, strict=True):
        assert row["summary"] == opportunity.summary
        assert row["lead_organisation"] == opportunity.lead_organisation.name
        assert [
            (
                d["id"],
                d["organisation"],
                d["status_label"],
                d["decision_reference"],
                d["conditions"],
            )
            for d in row["decisions"]
        ] == _decisions_of(opportunity)
        assert row["progress"] == opportunity.progress
        assert [
            (m["title"], m["description"], m["due_on"], m["percent_complete"])
            for m in row["milestones"]
        ] == _milestones_of(opportunity)
    # Not vacuous: decisions with conditions, and delivery under way.
    assert any(d["conditions"] for row in rows for d in row["decisions"])
    assert {row["title"]: row["progress"] for row in rows}["Joint control room"] == 65


def test_delivery_is_the_registers_milestones_and_progress(world, client):
    page = _page(client, "public_register")
    rows = everything("delivery")
    assert [(r["id"], r["reference"], r["title"], r["status_label"]) for r in rows] == [
        (o.pk, o.reference, o.title, o.status_label) for o in page.context["opportunities"]
    ]
    for row, opportunity in zip(rows, page.context["opportunities"], strict=True):
        assert row["progress"] == opportunity.progress
        assert [
            (m["title"], m["description"], m["due_on"], m["percent_complete"])
            for m in row["milestones"]
        ] == _milestones_of(opportunity)
        collaboration = _page(client, "public_collaboration", opportunity.pk)
        assert collaboration.context["opportunity"].progress == row["progress"]
    by_title = {row["title"]: row for row in rows}
    assert by_title["Joint control room"]["progress"] == 65
    assert by_title["Arson reduction campaign"]["progress"] == 100
    assert by_title["Shared fleet workshop"]["progress"] is None
    assert by_title["Shared fleet workshop"]["milestones"] == []


def test_the_decision_register_is_its_page(world, client):
    page = _page(client, "public_decisions")
    rows = everything("decisions")
    assert [
        (
            r["id"],
            r["decision_date"],
            r["organisation"],
            r["collaboration"]["reference"],
            r["collaboration"]["title"],
            r["status_label"],
            r["decision_reference"],
        )
        for r in rows
    ] == [
        (
            referral.pk,
            referral.decision_date.isoformat(),
            referral.organisation.name,
            referral.recommendation.opportunity.reference,
            referral.recommendation.opportunity.title,
            referral.status_label,
            referral.decision_reference,
        )
        for referral in page.context["page"].object_list
    ]
    assert len(rows) == 4  # two bodies on each of two collaborations: the others are hidden


def test_each_decision_notice_is_its_page(world, client):
    rows = everything("decisions")
    assert rows
    for row in rows:
        page = _page(client, "public_decision", row["id"])
        referral = page.context["referral"]
        answer = Client().get(f"{API}/decisions/{row['id']}").json()
        assert answer == {**row, "summary": page.context["opportunity"].summary}
        assert answer["decision_reference"] == referral.decision_reference
        assert answer["conditions"] == referral.conditions
        assert answer["reasons"] == referral.reasons
        assert answer["taken_by"] == referral.decision_taken_by
        text = page.content.decode()
        assert answer["decision_making_body"] in text
        assert answer["decision_reference"] in text
    assert any(row["conditions"] == "Subject to a joint risk assessment." for row in rows)


def test_the_forward_plan_is_its_page(world, client):
    page = _page(client, "public_forward_plan")
    answer = Client().get(f"{API}/forward-plan").json()
    version = page.context["version"]
    # JSON carries times to the millisecond.
    at = version.published_at
    assert datetime.fromisoformat(answer["published_at"]) == at.replace(
        microsecond=at.microsecond // 1000 * 1000
    )
    assert (answer["covers_from"], answer["covers_to"]) == (
        version.covers_from.isoformat(),
        version.covers_to.isoformat(),
    )
    rows = everything("forward-plan")
    assert [
        (r["meeting_on"], r["organisation"], r["forum"], r["decision_maker"], r["key_decision"])
        for r in rows
    ] == [
        (
            row.meeting_on.isoformat(),
            row.values["organisation"],
            row.values["forum"],
            row.values["decision_maker"],
            row.values["key_decision"],
        )
        for row in page.context["rows"]
    ]
    text = page.content.decode()
    for row in rows:
        assert row["decision"] in text
    reference = Opportunity.objects.get(title="Dodo station").reference
    # As published: the title before it was changed; the private decision without its subject.
    assert [r["decision"] for r in rows] == [
        f"{reference} Shared fire and police station",
        "Exempt item",
    ]
    assert (rows[0]["title"], rows[0]["key_decision"], rows[0]["private"]) == (
        "Shared fire and police station",
        True,
        False,
    )
    assert (rows[1]["private"], rows[1]["exempt_paragraph"], rows[1]["title"]) == (True, 3, None)


def test_what_was_published_is_the_atom_feed(world, client):
    feed = ET.fromstring(client.get(reverse("public_feed", args=[SLUG])).content)
    entries = [
        {
            "id": entry.findtext(f"{ATOM}id"),
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "description": entry.findtext(f"{ATOM}summary"),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]
    rows = everything("published")
    assert [
        {key: row[key] for key in ("id", "title", "link", "description")} for row in rows
    ] == entries
    assert len(rows) == 8  # four meetings' moves, four decisions
    assert any("Meeting cancelled" in row["title"] for row in rows)


def test_not_pursued_is_its_page(world, client):
    page = _page(client, "public_not_pursued")
    rows = everything("not-pursued")
    assert [
        (r["id"], r["reference"], r["title"], r["reason"], r["not_pursued_on"]) for r in rows
    ] == [
        (o.pk, o.reference, o.title, o.not_pursued_reason, o.not_pursued_on.isoformat())
        for o in page.context["page"].object_list
    ]
    assert rows


# --- the publication rule, on each new endpoint ---------------------------------------------


@pytest.mark.parametrize("path", NEW_LISTS)
def test_no_new_endpoint_shows_anything_unpublished_exempt_or_sensitive(world, path):
    body = Client().get(f"{API}/{path}?limit=100").content.decode()
    assert leaks(body) == [] and [word for word in HIDDEN if word in body] == []
    assert [word for word in SECRETS if word in body] == []


def test_the_secrets_the_checks_look_for_exist(world):
    assert Referral.objects.filter(decision_reference="Bittern/REF/1").count() == 2
    assert Opportunity.objects.filter(title="Osprey shared station").exists()
    assert Milestone.objects.filter(title="Puffin milestone").exists()
    assert Opportunity.objects.filter(title="Dodo station").exists()


def test_an_exempt_decision_is_on_no_new_endpoint(world, client):
    exempt = Referral.objects.filter(decision_reference="Bittern/REF/1")
    ids = set(exempt.values_list("pk", flat=True))
    assert not ids & {row["id"] for row in everything("decisions")}
    for pk in ids:
        answer = Client().get(f"{API}/decisions/{pk}")
        assert answer.status_code == 404
        assert answer.json() == {"detail": permissions.NO_DECISION}
    assert not any(f"decision-{pk}" in row["id"] for row in everything("published") for pk in ids)
    delivery = {row["title"]: row for row in everything("delivery")}
    assert "Shared fleet workshop" in delivery  # the collaboration itself is public
    register = {row["title"]: row for row in everything("register")}
    assert register["Shared fleet workshop"]["decisions"] == []
    private = [row for row in everything("forward-plan") if row["private"]]
    assert private and all(row["title"] is None for row in private)


def test_a_sensitive_recommendation_is_on_no_new_endpoint(world):
    southam = Opportunity.objects.get(title="Osprey shared station")
    for path in NEW_LISTS:
        body = Client().get(f"{API}/{path}?limit=100").content.decode()
        assert "Osprey" not in body and southam.reference not in body, path
    for referral in Referral.objects.filter(recommendation__opportunity=southam):
        assert Client().get(f"{API}/decisions/{referral.pk}").status_code == 404


def test_a_sensitive_planned_recommendation_is_not_named_on_the_plan(world, referred, client):
    Recommendation.objects.filter(pk=referred.pk).update(
        marking=Level.OFFICIAL_SENSITIVE, marking_descriptors={Descriptor.COMMERCIAL}
    )
    rows = everything("forward-plan")
    assert {row["decision"] for row in rows} == {"Not published — OFFICIAL-SENSITIVE"}
    assert all(row["sensitive"] and row["title"] is None for row in rows)
    assert all(row["reference"] is None and row["collaboration"] is None for row in rows)
    page = _page(client, "public_forward_plan").content.decode()
    assert page.count("Not published — OFFICIAL-SENSITIVE") == len(rows) == 2


def test_what_is_not_published_is_on_no_new_endpoint(world, draft_meeting, drafted_meeting):
    published = " ".join(row["id"] for row in everything("published"))
    assert f"meeting-{draft_meeting.pk}:" not in published
    assert f"meeting-{drafted_meeting.pk}:" not in published
    decided = {row["collaboration"]["title"] for row in everything("decisions")}
    assert decided == {"Joint control room", "Arson reduction campaign"}
    assert "Puffin milestone" not in str(everything("delivery"))
    # The council's decision was planned after the last publication: not on the public plan.
    assert {row["organisation"] for row in everything("forward-plan")} == {
        "Warwickshire Police",
        "Warwickshire Fire and Rescue Service",
    }


def test_a_board_that_has_published_no_plan_answers_an_empty_plan(public_board):
    answer = Client().get(f"{API}/forward-plan").json()
    assert answer["results"] == [] and answer["count"] == 0
    assert answer["published_at"] is None and answer["covers_from"] is None


@pytest.mark.parametrize("path", [*LISTS, "decisions/1", "meetings/1"])
def test_with_the_public_pages_off_every_endpoint_is_a_404_with_a_sentence(world, path):
    Board.objects.filter(pk=world.pk).update(public_pages_enabled=False)
    answer = Client().get(f"{API}/{path}")
    assert answer.status_code == 404
    assert answer.json() == {"detail": permissions.SWITCHED_OFF}


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_bad_paging_is_a_400_or_404_with_a_sentence(world, path):
    words = Client().get(f"{API}/{path}?offset=second")
    assert words.status_code == 400
    assert words.json()["detail"].startswith("The request is not valid — offset:")
    assert Client().get(f"{API}/{path}?limit=0").json() == {
        "detail": "limit must be between 1 and 100."
    }
    past = Client().get(f"{API}/{path}?offset=900")
    assert past.status_code == 404
    assert past.json()["detail"].startswith("There is nothing at offset 900: the list has ")


@pytest.mark.parametrize("path", LISTS)
def test_an_unknown_board_is_a_404_with_a_sentence(db, path):
    answer = Client().get(f"/api/public/nowhere/{path}")
    assert answer.status_code == 404
    assert answer.json() == {"detail": permissions.NO_BOARD}


@pytest.mark.parametrize(
    ("path", "status", "said"),
    [
        ("decisions/999999", 404, permissions.NO_DECISION),
        ("meetings/999999", 404, permissions.NO_MEETING),
        ("decisions/abc", 400, "The request is not valid — pk:"),
        ("meetings/abc", 400, "The request is not valid — pk:"),
    ],
)
def test_an_unknown_or_malformed_id_is_a_404_or_400_with_a_sentence(world, path, status, said):
    answer = Client().get(f"{API}/{path}")
    assert answer.status_code == status
    assert answer["Content-Type"].startswith("application/json")
    assert answer.json()["detail"].startswith(said)


def test_an_empty_list_answers_an_empty_page_not_a_404(public_board):
    answer = Client().get(f"{API}/decisions")
    assert answer.status_code == 200
    assert answer.json()["results"] == [] and answer.json()["next"] is None


# --- ETags and the schema ---------------------------------------------------------------------


@pytest.mark.parametrize("path", NEW_LISTS)
def test_each_new_endpoint_has_an_etag_and_may_be_cached(world, path):
    first = Client().get(f"{API}/{path}")
    assert first["ETag"] and "public" in first["Cache-Control"]
    again = Client().get(f"{API}/{path}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_schema_documents_every_public_endpoint(client_of, bob):
    schema = client_of(bob).get("/api/openapi.json").json()
    for path in [*LISTS, "meetings/{pk}", "decisions/{pk}"]:
        operation = schema["paths"][f"/api/public/{{slug}}/{path}"]["get"]
        assert operation["summary"] and operation["tags"] == ["Public"], path
        assert {"200", "404"} <= set(operation["responses"]), path
    assert "Atom feed" in schema["paths"]["/api/public/{slug}/published"]["get"]["summary"]


# --- query counts -----------------------------------------------------------------------------


def _queries(path: str) -> int:
    Client().get(path)
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(path).status_code == 200
    return len(queries)


def _grow(world, alice, police, fire, decided, make_opportunity, times: int) -> None:
    """More approved collaborations with decisions and milestones, meetings whose papers were
    published (in the feed), and rows on the published forward plan."""
    version = world.published_plans.order_by("-published_at", "-pk").first()
    template = version.entries[0]
    for n in range(times):
        opportunity = decided(
            make_opportunity(title=f"Extra collaboration {n}"),
            Status.IN_DELIVERY,
            {police: Referral.Status.APPROVED, fire: Referral.Status.APPROVED},
        )
        Milestone.objects.create(
            opportunity=opportunity, title=f"Step {n}", due_on=_day(n), created_by=alice
        )
        meeting: Meeting = MeetingFactory(  # type: ignore[assignment]
            board=world,
            created_by=alice,
            title=f"Extra meeting {n}",
            starts_at=timezone.now() - timedelta(days=n + 1),
            status=Meeting.Status.PAPERS_PUBLISHED,
        )
        audit_record(
            subject=meeting, actor=alice, verb=f"meeting.{meeting.status}", summary="published"
        )
        referral = opportunity.recommendations.get().referrals.first()
        version.entries.append(
            {
                **template,
                "entry": None,
                "referral": referral.pk,
                "opportunity": opportunity.pk,
                "reference": opportunity.reference,
                "title": opportunity.title,
            }
        )
    version.save(update_fields=["entries"])


@pytest.mark.parametrize("path", NEW_LISTS)
def test_a_new_list_costs_the_same_queries_at_two_sizes(
    path, world, alice, police, fire, decided, make_opportunity, referred, plan, meeting_of
):
    url = f"{API}/{path}?limit=100"
    _grow(world, alice, police, fire, decided, make_opportunity, 2)
    few = _queries(url)
    _grow(world, alice, police, fire, decided, make_opportunity, 6)
    many = _queries(url)
    assert many == few
    assert Client().get(url).json()["count"] > 3
