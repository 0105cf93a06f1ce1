"""Writes of thousands of rows at once stay under PostgreSQL's 65 535 bind parameters a statement.

The portal binds parameters server-side, so a statement with more fails outright. The tests
write more rows than one statement could carry (and show that one statement fails), through the
batch sizes of ``core.batching`` and through the portal's own notification service, and check
the update batch size against the parameters Django really sends.
"""

from contextlib import contextmanager
from datetime import date

import pytest
from django.db import OperationalError, connection, transaction

from boards.models import User
from core.batching import PARAMETER_LIMIT, batch_size_for
from notifications.models import Notification
from notifications.services import notification_create_many
from opportunities.models import Opportunity, Rag, Status, Theme

pytestmark = pytest.mark.django_db


@contextmanager
def statements():
    """The INSERT and UPDATE statements run inside the block, with their number of parameters."""
    seen: list[tuple[str, int]] = []

    def record(execute, sql, params, many, context):
        if sql.lstrip().startswith(("INSERT", "UPDATE")):
            seen.append((sql.split(None, 1)[0], len(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def binds_server_side() -> bool:
    return bool(connection.settings_dict["OPTIONS"].get("server_side_binding"))


def refused_unbatched(write) -> None:
    """With server-side binding, one statement for every row is refused before it runs."""
    if not binds_server_side():
        return
    with pytest.raises(OperationalError, match="number of parameters"), transaction.atomic():
        write()


def opportunities(board, organisation, person, count: int) -> list[Opportunity]:
    return [
        Opportunity(
            board=board,
            title=f"Opportunity {n}",
            summary="Joint working.",
            theme=Theme.values[n % len(Theme.values)],
            lead_organisation=organisation,
            proposed_by=person,
        )
        for n in range(count)
    ]


def test_thousands_of_opportunities_are_inserted_in_batches(board, police, bob):
    # Opportunity's search document column keeps Django from its one-array-per-column insert,
    # so each value is a parameter: 16 columns x 4 500 rows = 72 000 in a single statement.
    count = 4500
    columns = len(Opportunity._meta.concrete_fields) - 1  # the id is the database's
    assert count * columns > PARAMETER_LIMIT
    refused_unbatched(
        lambda: Opportunity.objects.bulk_create(opportunities(board, police, bob, count))
    )

    with statements() as seen:
        Opportunity.objects.bulk_create(
            opportunities(board, police, bob, count), batch_size=batch_size_for(Opportunity)
        )

    assert Opportunity.objects.count() == count
    inserts = [params for verb, params in seen if verb == "INSERT"]
    assert len(inserts) >= 2
    assert max(inserts) <= PARAMETER_LIMIT
    assert sum(inserts) == count * columns


def test_an_update_batch_counts_the_parameters_django_sends(board, police, bob):
    # Each row of a bulk_update costs two parameters a field (its id and its value in the
    # CASE) and its id once more in the IN list. Thousands of rows would cost Django a minute
    # of building expressions, so a few rows show the count and the batch size follows from it.
    rows = Opportunity.objects.bulk_create(opportunities(board, police, bob, 10))
    fields = ["title", "summary", "theme", "status", "rag", "risks", "next_review_on", "owner"]
    for n, row in enumerate(rows):
        row.title = f"Renamed {n}"
        row.status = Status.UNDER_ASSESSMENT
        row.rag = Rag.AMBER
        row.risks = "Few."
        row.next_review_on = date(2030, 1, 1)
        row.owner = bob  # a None would be a NULL in the SQL, not a parameter

    with statements() as seen:
        Opportunity.objects.bulk_update(
            rows, fields, batch_size=batch_size_for(Opportunity, fields)
        )

    per_row = 2 * len(fields) + 1
    assert seen == [("UPDATE", len(rows) * per_row)]
    assert batch_size_for(Opportunity, fields) * per_row <= PARAMETER_LIMIT
    # Django's own estimate for databases it caps (the fields and the key twice) would not be.
    assert (PARAMETER_LIMIT // (len(fields) + 2)) * per_row > PARAMETER_LIMIT
    assert Opportunity.objects.filter(title="Renamed 9", owner=bob, risks="Few.").exists()


def test_a_notice_to_thousands_of_people_goes_through_the_portals_own_service(board, police):
    # Django inserts notifications with one array per column today; a column that sent it back
    # to a list of values (a search document, an expression) would make 5 000 recipients x 14
    # columns 70 000 parameters in one statement.
    people = User.objects.bulk_create(
        (
            User(email=f"person{n}@many.example", full_name=f"Person {n}", organisation=police)
            for n in range(5000)
        ),
        batch_size=batch_size_for(User),
    )
    columns = len(Notification._meta.concrete_fields) - 1
    assert len(people) * columns > PARAMETER_LIMIT

    with statements() as seen:
        notification_create_many(
            recipients=people,
            kind=Notification.Kind.OUTCOME_KNOWN,
            event_key="limits:outcome",
            subject="An outcome is known",
            link="/register/",
            payload={"reference": "BLC-0001"},
            board=board,
        )

    assert Notification.objects.filter(event_key="limits:outcome").count() == 5000
    assert max(params for _, params in seen) <= PARAMETER_LIMIT
