import pytest

from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db


def test_member_sees_everything_on_one_page(client_of, bob, referred, police, pat):
    decide(
        referral_for(referred, police),
        pat,
        reference="CCOG/7",
        notes="Subject to the estates review.",
    )
    body = client_of(bob).get(referred.opportunity.get_absolute_url()).content.decode()
    for text in [
        referred.opportunity.reference,
        "Shared fire and police station",
        "Co-locate the two stations",
        "Version 1",
        "Do it.",
        "CCOG/7",
        "Subject to the estates review.",
        "Pat Price",
        "Awaiting decision",
        "Timeline",
        "Proposed BLC-",
        "Recommendation v1 referred to",
    ]:
        assert text in body, text
    assert "Edit and assess" not in body
    assert "Send to the executives" not in body


def test_secretariat_sees_the_actions(client_of, alice, assessed, record, police):
    record(assessed, [police])
    body = client_of(alice).get(assessed.get_absolute_url()).content.decode()
    assert "Edit and assess" in body
    assert "Send to the executives" in body
    assert "Change status" in body


def test_person_of_another_board_gets_not_found(client_of, charlie, opportunity):
    assert client_of(charlie).get(opportunity.get_absolute_url()).status_code == 404


def test_executive_without_a_referral_gets_not_found(client_of, erin, opportunity):
    assert client_of(erin).get(opportunity.get_absolute_url()).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, opportunity):
    assert client.get(opportunity.get_absolute_url())["Location"].startswith("/sign-in/")


def test_detail_queries_do_not_grow_with_history(
    client_of,
    alice,
    referred,
    police,
    fire,
    council,
    pat,
    erin,
    cara,
    record,
    django_assert_max_num_queries,
):
    client = client_of(alice)
    url = referred.opportunity.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    decide(referral_for(referred, police), pat, "deferred", notes="More")
    record(referred.opportunity, [police, fire, council])
    few = len(small.captured_queries)  # read now: the next request empties the query log
    client.get(url)  # the header counts the new notifications once
    with django_assert_max_num_queries(few):
        client.get(url)
