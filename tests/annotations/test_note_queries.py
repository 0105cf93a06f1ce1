"""The pages that list notes cost the same number of queries with few notes or many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .conftest import note_on

pytestmark = pytest.mark.django_db


def add_notes(paper, people, count, batch):
    """Notes by each person in turn, every other one shared (the first person's are all
    theirs to see)."""
    for n in range(count):
        author = people[n % len(people)]
        note_on(paper, author, shared=n % 2 == 0, page=n % 5 + 1, body=f"{batch} note {n}")


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("url_name", ["paper_read", "paper_notes", "meeting_detail"])
def test_query_count_does_not_grow_with_the_notes(client_of, open_paper, bob, owen, dave, url_name):
    args = (
        [open_paper.meeting_id]
        if url_name == "meeting_detail"
        else [open_paper.meeting_id, open_paper.pk]
    )
    url = reverse(url_name, args=args)
    client = client_of(bob)
    client.get(url)  # warm: session, second factor
    add_notes(open_paper, [bob, owen, dave], 3, "First")
    few, response = queries(client, url)
    assert "First note 0" in response.content.decode()
    add_notes(open_paper, [bob, owen, dave], 30, "Second")
    many, response = queries(client, url)
    # bob's own (27) and the others' shared ones (28) are listed.
    assert "Second note 27" in response.content.decode()
    assert ("Second note 28" in response.content.decode()) is (url_name != "meeting_detail")
    assert many == few
