"""Who may open each forward plan page: anonymous visitors are sent to sign in, a person of
another body finds nothing (404), a member without the role is refused with a reason (403),
and the allowed person gets the page."""

import pytest
from django.urls import reverse

from forwardplan import services
from forwardplan.models import PublishedPlan

SLUG = "warwickshire"


@pytest.fixture
def scene(referred, police, police_forum, meeting_of, plan, alice):
    meeting = meeting_of(police_forum)
    referral = referred.referrals.get(organisation=police)
    plan(referral, meeting)
    published = services.plan_publish(board=referral.recommendation.opportunity.board, actor=alice)
    return {"meeting": meeting, "referral": referral, "published": published}


def _read_pages(scene, police):
    return [
        reverse("forward_plan", args=[SLUG]),
        reverse("forward_plan_csv", args=[SLUG]),
        reverse("forward_plan_xlsx", args=[SLUG]),
        reverse("published_plans", args=[SLUG]),
        reverse("published_plan", args=[SLUG, scene["published"].pk]),
        reverse("forum_list", args=[SLUG]),
        reverse("forum_detail", args=[SLUG, scene["meeting"].forum_id]),
        reverse("forward_plan_body", args=[SLUG, police.pk]),
    ]


def _manage_pages(scene):
    forum = scene["meeting"].forum_id
    return [
        reverse("forum_add", args=[SLUG]),
        reverse("forum_edit", args=[SLUG, forum]),
        reverse("forum_date_add", args=[SLUG, forum]),
        reverse("forum_date_edit", args=[SLUG, forum, scene["meeting"].pk]),
        reverse("plan_entry_edit", args=[SLUG, scene["referral"].pk]),
    ]


def _posts(scene):
    forum = scene["meeting"].forum_id
    return [
        reverse("forward_plan_publish", args=[SLUG]),
        reverse("forum_import", args=[SLUG, forum]),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, scene, police):
    for url in _read_pages(scene, police) + _manage_pages(scene):
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("login") in response["Location"]
    for url in _posts(scene):
        assert client.post(url).status_code == 302
    assert PublishedPlan.objects.count() == 1


def test_a_person_of_another_body_finds_nothing(client_of, scene, police, charlie):
    client = client_of(charlie)
    for url in _read_pages(scene, police) + _manage_pages(scene):
        assert client.get(url).status_code == 404, url
    for url in _posts(scene):
        assert client.post(url).status_code == 404, url
    assert PublishedPlan.objects.count() == 1


def test_a_member_reads_but_cannot_change_the_plan(client_of, scene, police, bob):
    client = client_of(bob)
    for url in _read_pages(scene, police):
        assert client.get(url).status_code == 200, url
    for url in _manage_pages(scene):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "secretariat may change the forward plan" in response.content.decode()
    for url in _posts(scene):
        assert client.post(url).status_code == 403, url
    assert PublishedPlan.objects.count() == 1


def test_the_secretariat_opens_every_page(client_of, scene, police, alice):
    client = client_of(alice)
    for url in _read_pages(scene, police) + _manage_pages(scene):
        assert client.get(url).status_code == 200, url
    assert client.post(reverse("forward_plan_publish", args=[SLUG])).status_code == 302
    assert PublishedPlan.objects.count() == 2


def test_an_executive_reads_the_board_plan_and_their_own_body(client_of, scene, police, pat):
    client = client_of(pat)
    for url in _read_pages(scene, police):
        assert client.get(url).status_code == 200, url
    for url in _manage_pages(scene):
        assert client.get(url).status_code == 403, url


def test_an_executive_of_another_body_cannot_see_this_bodys_view(client_of, scene, police, erin):
    response = client_of(erin).get(reverse("forward_plan_body", args=[SLUG, police.pk]))
    assert response.status_code == 403
    assert "this body&#x27;s executives" in response.content.decode()


def test_an_executive_sees_their_own_bodys_view(client_of, scene, fire, erin):
    response = client_of(erin).get(reverse("forward_plan_body", args=[SLUG, fire.pk]))
    assert response.status_code == 200
    assert "Forward plan: Warwickshire Fire and Rescue Service" in response.content.decode()


def test_a_body_not_on_the_board_is_not_found(client_of, scene, outsider_org, alice):
    response = client_of(alice).get(reverse("forward_plan_body", args=[SLUG, outsider_org.pk]))
    assert response.status_code == 404


def test_the_feed_needs_its_token_and_nothing_else(client, scene, alice):
    feed = services.plan_feed_of(person=alice)
    assert client.get(reverse("plan_feed", args=[feed.token])).status_code == 200
    assert client.get(reverse("plan_feed", args=["not-a-token"])).status_code == 404
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert client.get(reverse("plan_feed", args=[feed.token])).status_code == 404


def test_resetting_ones_feed_is_for_the_plans_readers(
    client, client_of, scene, alice, charlie, bob
):
    url = reverse("plan_feed_reset", args=[SLUG])
    assert reverse("login") in client.post(url)["Location"]
    assert client_of(charlie).post(url).status_code == 404
    old = services.plan_feed_of(person=bob).token
    assert client_of(bob).post(url).status_code == 302
    assert services.plan_feed_of(person=bob).token != old


def test_an_executive_finds_their_bodys_plan_from_the_home_page(client_of, scene, police, pat):
    page = client_of(pat).get(reverse("home")).content.decode()
    assert reverse("forward_plan_body", args=[SLUG, police.pk]) in page


def test_a_forum_of_a_body_not_on_the_board_is_not_found(
    client_of, scene, alice, forum_of, outsider_org
):
    forum = forum_of(outsider_org, "Elsewhere board")
    client = client_of(alice)
    assert client.get(reverse("forum_detail", args=[SLUG, forum.pk])).status_code == 404
    assert client.post(reverse("forum_import", args=[SLUG, forum.pk])).status_code == 404


def _text(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_an_executive_reads_only_what_went_to_their_own_body(
    client_of, make_opportunity, record, alice, fire, fire_forum, meeting_of, plan, pat, bob
):
    """The board's plan names what each body will decide: an executive (with no role on the
    board) sees their own body's part of it, as their calendar feed does, never what went to
    other bodies alone."""
    from opportunities import services as opportunity_services
    from opportunities.models import Status

    only_fire = make_opportunity(title="Fire control room merger")
    opportunity_services.opportunity_transition(
        opportunity=only_fire, actor=alice, to=Status.UNDER_ASSESSMENT
    )
    recommendation = record(only_fire, [fire])
    opportunity_services.recommendation_send(recommendation=recommendation, actor=alice)
    plan(recommendation.referrals.get(), meeting_of(fire_forum))
    unplanned = make_opportunity(title="Fire estates review")
    opportunity_services.opportunity_transition(
        opportunity=unplanned, actor=alice, to=Status.UNDER_ASSESSMENT
    )
    record(unplanned, [fire])

    for url in (
        reverse("forward_plan", args=[SLUG]),
        reverse("forward_plan_csv", args=[SLUG]),
    ):
        assert "Fire control room merger" in _text(client_of(bob).get(url)), url
        page = client_of(pat).get(url)
        assert page.status_code == 200
        content = _text(page)
        assert "Fire control room merger" not in content, url
        assert "Fire estates review" not in content, url
