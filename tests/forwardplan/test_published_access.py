"""Published versions of the forward plan follow the live plan's rule: the board's people read
every body's decisions; an executive without a role on the board reads only their own body's,
on the version's page and in the list's count; anyone else finds nothing."""

import pytest
from django.urls import reverse

from forwardplan import services
from opportunities import services as opportunity_services
from opportunities.models import Status

SLUG = "warwickshire"
POLICE_ONLY = "Police custody suite sharing"
FIRE_ONLY = "Fire control room merger"


@pytest.fixture
def version(
    make_opportunity,
    record,
    alice,
    board,
    police,
    fire,
    council,
    police_forum,
    fire_forum,
    meeting_of,
    plan,
):
    """A published plan with one decision for Police and one for Fire (none for the council)."""
    for title, body, forum in ((POLICE_ONLY, police, police_forum), (FIRE_ONLY, fire, fire_forum)):
        opportunity = make_opportunity(title=title)
        opportunity_services.opportunity_transition(
            opportunity=opportunity, actor=alice, to=Status.UNDER_ASSESSMENT
        )
        recommendation = record(opportunity, [body])
        opportunity_services.recommendation_send(recommendation=recommendation, actor=alice)
        plan(recommendation.referrals.get(), meeting_of(forum))
    return services.plan_publish(board=board, actor=alice)


def _version_page(client, version) -> str:
    response = client.get(reverse("published_plan", args=[SLUG, version.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _decisions_listed(client) -> str:
    """The "Decisions" cell of the list's only version."""
    response = client.get(reverse("published_plans", args=[SLUG]))
    assert response.status_code == 200
    return response.content.decode().split("</tr>")[1].rsplit("<td>", 1)[1].split("</td>")[0]


@pytest.mark.parametrize(
    ("who", "shown", "hidden"), [("pat", POLICE_ONLY, FIRE_ONLY), ("erin", FIRE_ONLY, POLICE_ONLY)]
)
def test_an_executive_reads_only_their_own_bodys_published_decisions(
    version, client_of, request, who, shown, hidden
):
    client = client_of(request.getfixturevalue(who))
    page = _version_page(client, version)
    assert shown in page
    assert hidden not in page
    assert _decisions_listed(client) == "1"


def test_the_executive_of_a_body_with_nothing_planned_reads_no_decision(version, client_of, cara):
    client = client_of(cara)
    page = _version_page(client, version)
    assert POLICE_ONLY not in page and FIRE_ONLY not in page
    assert "No decisions were planned for this period." in page
    assert _decisions_listed(client) == "0"


@pytest.mark.parametrize("who", ["bob", "alice", "dave"])
def test_the_boards_people_read_every_bodys_published_decisions(version, client_of, request, who):
    """A member without any executive role reads the whole plan, as on the live plan."""
    client = client_of(request.getfixturevalue(who))
    page = _version_page(client, version)
    assert POLICE_ONLY in page and FIRE_ONLY in page
    assert _decisions_listed(client) == "2"


def test_a_person_of_another_board_finds_no_published_version(version, client_of, charlie):
    client = client_of(charlie)
    assert client.get(reverse("published_plans", args=[SLUG])).status_code == 404
    assert client.get(reverse("published_plan", args=[SLUG, version.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(version, client):
    for url in (
        reverse("published_plans", args=[SLUG]),
        reverse("published_plan", args=[SLUG, version.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
