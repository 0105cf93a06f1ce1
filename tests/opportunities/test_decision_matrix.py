from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities.models import Referral
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db


def url(board):
    return reverse("decision_matrix", kwargs={"slug": board.slug})


def test_secretariat_sees_each_bodys_decision_and_what_is_overdue(
    client_of, alice, board, referred, police, fire, pat
):
    decide(referral_for(referred, police), pat)
    Referral.objects.filter(pk=referral_for(referred, fire).pk).update(
        due_on=timezone.localdate() - timedelta(days=3)
    )
    response = client_of(alice).get(url(board))
    assert response.status_code == 200
    row = response.context["rows"][0]
    statuses = {cell.organisation.short_name: cell.status for cell in row["cells"] if cell}
    assert statuses == {"Police": "approved", "WFRS": "pending", "WCC": "pending"}
    assert [r.organisation.short_name for r in response.context["overdue"]] == ["WFRS"]
    assert "Overdue decisions" in response.content.decode()


@pytest.mark.parametrize(("person", "status"), [("bob", 403), ("charlie", 404), ("erin", 404)])
def test_others_may_not_see_the_matrix(client_of, request, board, person, status):
    assert client_of(request.getfixturevalue(person)).get(url(board)).status_code == status


def test_anonymous_is_sent_to_sign_in(client, board):
    assert client.get(url(board))["Location"].startswith("/sign-in/")


def test_matrix_queries_do_not_grow_with_recommendations(
    client_of, alice, board, make_opportunity, record, police, fire, django_assert_max_num_queries
):
    from opportunities import services
    from opportunities.models import Opportunity, Status

    client = client_of(alice)
    client.get(url(board))

    def add(count):
        for index in range(count):
            opportunity = make_opportunity(title=f"Matrix {index}")
            Opportunity.objects.filter(pk=opportunity.pk).update(status=Status.UNDER_ASSESSMENT)
            opportunity.refresh_from_db()
            services.recommendation_send(
                recommendation=record(opportunity, [police, fire]), actor=alice
            )

    add(2)
    with django_assert_max_num_queries(15) as small:
        client.get(url(board))
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(url(board))
    assert len(response.context["rows"]) == 22
    assert len(large.captured_queries) == len(small.captured_queries)


def test_only_the_longest_overdue_are_listed(
    client_of, alice, board, make_opportunity, record, police
):
    from opportunities import services
    from opportunities.models import Opportunity, Status

    for index in range(11):
        opportunity = make_opportunity(title=f"Late {index}")
        Opportunity.objects.filter(pk=opportunity.pk).update(status=Status.UNDER_ASSESSMENT)
        opportunity.refresh_from_db()
        services.recommendation_send(recommendation=record(opportunity, [police]), actor=alice)
    Referral.objects.update(due_on=timezone.localdate() - timedelta(days=5))
    response = client_of(alice).get(url(board))
    assert len(response.context["overdue"]) == 10
    assert "more are overdue" in response.content.decode()


def test_older_recommendations_are_a_page_away(
    client_of, alice, board, make_opportunity, record, police
):
    from opportunities import services
    from opportunities.models import Opportunity, Status

    for index in range(27):
        opportunity = make_opportunity(title=f"Page {index}")
        Opportunity.objects.filter(pk=opportunity.pk).update(status=Status.UNDER_ASSESSMENT)
        opportunity.refresh_from_db()
        services.recommendation_send(recommendation=record(opportunity, [police]), actor=alice)
    client = client_of(alice)
    first = client.get(url(board))
    assert len(first.context["rows"]) == 25
    assert "Older recommendations" in first.content.decode()
    second = client.get(url(board), {"page": 2})
    assert len(second.context["rows"]) == 2
    assert "Newer recommendations" in second.content.decode()
    for odd in ("x", "0", "-1", "²", "99999999999"):
        assert client.get(url(board), {"page": odd}).status_code == 200


# --- rows kept in the cache ---------------------------------------------------------------------


def matrix_row(client, board):
    body = client.get(url(board)).content.decode()
    start = body.index('<tr>\n<th scope="row">')
    return body[start : body.index("</tr>", start)]


def test_a_kept_row_changes_as_soon_as_what_it_shows_changes(
    client_of, alice, board, referred, police, fire, pat, settings
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client = client_of(alice)
    before = matrix_row(client, board)
    assert matrix_row(client, board) == before  # the same row, from the cache
    assert "REF/7" not in before
    decide(referral_for(referred, police), pat, reference="REF/7")
    after = matrix_row(client, board)
    assert "REF/7" in after and "Approved" in after
    Referral.objects.filter(pk=referral_for(referred, fire).pk).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    assert "Overdue" in matrix_row(client, board)
    referred.opportunity.title = "Retitled station"
    referred.opportunity.save()
    assert "Retitled station" in matrix_row(client, board)


def test_a_row_kept_overnight_is_not_shown_the_next_day(
    client_of, alice, board, referred, fire, settings, time_machine
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    due = timezone.localdate() + timedelta(days=1)
    Referral.objects.filter(pk=referral_for(referred, fire).pk).update(due_on=due)
    client = client_of(alice)
    assert "Overdue" not in matrix_row(client, board)
    time_machine.move_to(timezone.now() + timedelta(days=2))
    client = client_of(alice)
    assert "Overdue" in matrix_row(client, board)


def test_a_kept_matrix_is_still_refused_to_those_who_may_not_see_it(
    client_of, alice, bob, board, referred, settings
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert client_of(alice).get(url(board)).status_code == 200
    response = client_of(bob).get(url(board))
    assert response.status_code == 403
    assert referred.opportunity.reference not in response.content.decode()
