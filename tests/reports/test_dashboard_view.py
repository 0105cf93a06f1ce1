"""Who sees the board dashboard, what the page is made of (CSP-safe, accessible), and its cost in
queries whatever the size of the register."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from opportunities.models import Benefit, Status

from .conftest import TODAY, at, benefit, opportunity, recommendation, referral

pytestmark = pytest.mark.django_db
URL = reverse("board_dashboard", kwargs={"slug": "warwickshire"})


def test_a_member_sees_the_dashboard(client_of, bob):
    response = client_of(bob).get(URL)
    assert response.status_code == 200
    assert "<h1>Dashboard</h1>" in response.content.decode()


def test_the_secretariat_sees_the_dashboard_and_the_way_to_the_report(client_of, alice):
    response = client_of(alice).get(URL)
    assert response.status_code == 200
    assert "Annual collaboration report" in response.content.decode()


def test_an_executive_without_a_role_on_the_board_gets_a_404(client_of, erin):
    assert client_of(erin).get(URL).status_code == 404


def test_a_member_of_another_board_gets_a_404(client_of, charlie):
    assert client_of(charlie).get(URL).status_code == 404


def test_an_unknown_board_is_a_404(client_of, bob):
    url = reverse("board_dashboard", kwargs={"slug": "nowhere"})
    assert client_of(bob).get(url).status_code == 404


def test_anonymous_goes_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_page_is_safe_under_the_content_security_policy(client_of, bob):
    response = client_of(bob).get(URL)
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    # Every script is a file from static/, except the figures' JSON block, which never runs.
    for tag in re.findall(r"<script[^>]*>", html):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    assert "/static/js/dashboard.js" in html


def test_each_chart_is_a_labelled_image_with_a_table_beneath(client_of, bob):
    html = client_of(bob).get(URL).content.decode()
    canvases = re.findall(r"<canvas[^>]*>", html)
    # Without any benefit, the over-time chart is replaced by a sentence.
    assert len(canvases) == 5
    for canvas in canvases:
        assert 'role="img"' in canvas and "aria-label=" in canvas
    assert html.count("<caption>") >= 5
    assert '<th scope="col">Body</th>' in html
    assert "No benefit has been recorded yet." in html


def _grow(board, police, fire, size: int) -> None:
    """``size`` opportunities, each with a sent recommendation, two referrals (one decided),
    benefits of both kinds in different quarters and a review date."""
    for index in range(size):
        opp = opportunity(
            board,
            police if index % 2 else fire,
            title=f"Opportunity {index}",
            status=Status.AWAITING_DECISIONS,
            review=TODAY + timedelta(days=index % 40 - 10),
        )
        sent = at(TODAY - timedelta(days=30 + index))
        rec = recommendation(opp, agreed_on=TODAY - timedelta(days=31 + index), sent_at=sent)
        referral(rec, police, due_on=TODAY - timedelta(days=index % 3))
        referral(rec, fire, status="approved", decided_at=sent + timedelta(days=3))
        benefit(opp, police, Benefit.Kind.ESTIMATED, "1000", TODAY - timedelta(days=90 * index))
        benefit(opp, fire, Benefit.Kind.REALISED, "250", TODAY - timedelta(days=45 * index))


def test_the_dashboard_costs_the_same_queries_for_a_small_and_a_large_register(
    client_of, bob, board, police, fire, django_assert_max_num_queries
):
    client = client_of(bob)
    client.get(URL)
    _grow(board, police, fire, 3)
    with django_assert_max_num_queries(20) as small:
        client.get(URL)
    _grow(board, police, fire, 40)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(URL)
    assert response.context["figures"]["total"] == 43
    assert len(large.captured_queries) == len(small.captured_queries)


def test_figures_are_kept_while_the_register_is_unchanged(client_of, bob, board, police, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.DASHBOARD_CACHE_SECONDS = 3600
    client = client_of(bob)
    opportunity(board, police, title="First")
    with CaptureQueriesContext(connection) as first:
        assert client.get(URL).context["figures"]["total"] == 1
    with CaptureQueriesContext(connection) as second:
        assert client.get(URL).context["figures"]["total"] == 1
    # Kept: the version of the register's data is read, not the register.
    assert len(second) < len(first)
    assert not any("opportunities_opportunity" in query["sql"] for query in second)


def _counts(response) -> dict[str, int]:
    return dict(response.context["figures"]["by_status"])


@pytest.mark.parametrize(
    "change",
    [
        "a new opportunity",
        "a status moved by a queryset update",
        "an estimate revised",
        "a decision recorded",
        "a recommendation superseded",
        "a benefit estimated",
        "a body renamed",
    ],
)
def test_every_change_to_what_the_figures_count_shows_at_once(
    client_of, bob, board, police, fire, settings, change
):
    from opportunities.models import Opportunity, Recommendation, Referral

    settings.DASHBOARD_CACHE_SECONDS = 3600
    client = client_of(bob)
    opp = opportunity(board, police, title="First")
    sent = at(TODAY - timedelta(days=10))
    rec = recommendation(opp, agreed_on=TODAY - timedelta(days=12), sent_at=sent)
    waiting = referral(rec, fire)
    opportunity(board, police, title="Spare")
    benefit(opp, fire, Benefit.Kind.ESTIMATED, "500", TODAY)
    assert client.get(URL).context["figures"]["total"] == 2
    if change == "a new opportunity":
        opportunity(board, police, title="Second")
        assert client.get(URL).context["figures"]["total"] == 3
    elif change == "a status moved by a queryset update":
        Opportunity.objects.filter(pk=opp.pk).update(status=Status.IN_DELIVERY)
        assert _counts(client.get(URL))[Status.IN_DELIVERY.label] == 1
    elif change == "an estimate revised":
        benefit(opp, fire, Benefit.Kind.ESTIMATED, "800", TODAY)
        fire_row = next(
            r for r in client.get(URL).context["figures"]["benefits"] if r.body.pk == fire.pk
        )
        assert fire_row.estimated == Decimal("800.00")
    elif change == "a decision recorded":
        Referral.objects.filter(pk=waiting.pk).update(
            status=Referral.Status.APPROVED, decided_at=sent + timedelta(days=2)
        )
        fire_row = next(
            r for r in client.get(URL).context["figures"]["pending"] if r.body.pk == fire.pk
        )
        assert (fire_row.pending, fire_row.decided, fire_row.days) == (0, 1, 2.0)
    elif change == "a recommendation superseded":
        Recommendation.objects.filter(pk=rec.pk).update(superseded_at=sent + timedelta(days=1))
        fire_row = next(
            r for r in client.get(URL).context["figures"]["pending"] if r.body.pk == fire.pk
        )
        assert fire_row.pending == 0
    elif change == "a benefit estimated":
        benefit(opp, police, Benefit.Kind.ESTIMATED, "1234", TODAY)
        police_row = next(
            r for r in client.get(URL).context["figures"]["benefits"] if r.body.pk == police.pk
        )
        assert police_row.estimated == Decimal("1234.00")
    else:
        type(fire).objects.filter(pk=fire.pk).update(name="Renamed Fire and Rescue")
        assert "Renamed Fire and Rescue" in client.get(URL).content.decode()


def test_a_board_never_reads_another_boards_kept_figures(
    client_of, bob, charlie, board, elsewhere, police, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 3600
    opportunity(board, police, title="Ours")
    opportunity(board, police, title="Ours too")
    opportunity(elsewhere, police, title="Theirs")
    assert client_of(bob).get(URL).context["figures"]["total"] == 2
    theirs = reverse("board_dashboard", kwargs={"slug": elsewhere.slug})
    assert client_of(charlie).get(theirs).context["figures"]["total"] == 1
    # Kept figures are still read through the permission check first.
    assert client_of(charlie).get(URL).status_code == 404
    assert client_of(bob).get(URL).context["figures"]["total"] == 2


def test_the_dashboard_still_answers_when_the_cache_is_down(
    client_of, bob, board, police, settings, monkeypatch
):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def refuse(*args, **kwargs):
        raise RedisConnectionError("Redis is down")

    settings.DASHBOARD_CACHE_SECONDS = 60
    monkeypatch.setattr("core.caching.cache.get", refuse)
    monkeypatch.setattr("core.caching.cache.set_many", refuse)
    opportunity(board, police, title="First")
    response = client_of(bob).get(URL)
    assert response.status_code == 200
    assert response.context["figures"]["total"] == 1
