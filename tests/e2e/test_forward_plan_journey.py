"""The secretariat sets the four bodies' decision forums and dates (the council's imported from
the .ics file it publishes), plans a recommendation at a meeting of each body and publishes the
forward plan; a visitor reads the published plan, the public decision register and a Part 1
report without signing in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from boards.models import Board, Organisation
from opportunities import services
from opportunities.models import Status
from tests.e2e.journeys import sign_in
from tests.e2e.public_reading import (  # noqa: F401 - fixtures asked for during the journey
    approved,
    read_the_decisions_and_a_part_1_report,
    report,
)
from tests.factories import OrganisationFactory
from tests.forwardplan.helpers import ics, vevent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FORUMS = [
    ("Warwickshire Police", "Chief Constable's management board", "Chief Constable", 20),
    (
        "Warwickshire Fire and Rescue Service",
        "Fire and Rescue Service leadership board",
        "Chief Fire Officer",
        25,
    ),
    (
        "Office of the Police and Crime Commissioner",
        "Commissioner's decision meeting",
        "Police and Crime Commissioner",
        35,
    ),
    ("Warwickshire County Council", "Cabinet", "The Leader and Cabinet", None),
]


def _type_date(page, field, day):
    page.locator(f"#id_{field}_0").fill(str(day.day))
    page.locator(f"#id_{field}_1").fill(str(day.month))
    page.locator(f"#id_{field}_2").fill(str(day.year))


def test_the_secretariat_publishes_the_forward_plan_and_a_visitor_reads_it(
    live_server, page, alice, opportunity, record, board, police, fire, council, tmp_path, request
):
    commissioner = OrganisationFactory(
        name="Office of the Police and Crime Commissioner",
        short_name="OPCC",
        kind=Organisation.Kind.OPCC,
        executive_body="Police and Crime Commissioner",
    )
    board.organisations.add(commissioner)
    services.opportunity_transition(
        opportunity=opportunity, actor=alice, to=Status.UNDER_ASSESSMENT
    )
    record(opportunity, [police, fire, council, commissioner], due_in_days=60)
    today = timezone.localdate()
    cabinet_day = today + timedelta(days=45)
    calendar_file = tmp_path / "cabinet.ics"
    calendar_file.write_bytes(
        ics(vevent("cabinet-1@wcc", cabinet_day), vevent("cabinet-2@wcc", today + timedelta(70)))
    )
    base = live_server.url

    sign_in(page, base, "alice@police.example")
    page.get_by_role("link", name="Forward plan", exact=True).click()
    page.get_by_role("link", name="Decision forums and dates").click()
    for body, name, decision_maker, days in FORUMS:
        page.get_by_role("link", name="Add a decision forum").click()
        page.get_by_label("Body").select_option(label=body)
        page.get_by_label("Name").fill(name)
        page.get_by_label("Decision maker").fill(decision_maker)
        page.get_by_role("button", name="Save").click()
        assert "is saved" in page.content()
        if days is None:
            page.get_by_label("iCalendar file (.ics)").set_input_files(str(calendar_file))
            page.get_by_role("button", name="Import the file").click()
            assert "2 added, 0 moved, 0 cancelled" in page.content()
        else:
            page.get_by_role("link", name="Add a meeting").click()
            _type_date(page, "date", today + timedelta(days=days))
            page.get_by_label("Time (optional)").fill("10:00")
            page.get_by_role("button", name="Save").click()
            assert "is saved" in page.content()
        page.get_by_role("link", name="Decision forums", exact=True).click()
    for _body, name, _maker, _days in FORUMS:
        assert name in page.content()

    page.get_by_role("link", name="Forward plan", exact=True).first.click()
    for body in (police, fire, council, commissioner):
        page.get_by_role("link", name=f"Plan {opportunity.reference} for {body.name}").click()
        page.get_by_label("Meeting where the body decides it").select_option(index=1)
        if body == council:
            page.get_by_label("This is a key decision").check()
        if body == police:
            page.get_by_label("It will be taken in private").check()
            page.get_by_label("Exempt paragraph (Schedule 12A)").select_option(value="3")
        page.get_by_role("button", name="Save the plan").click()
        assert "is planned for" in page.content()
    assert "Not planned yet" not in page.content()
    page.get_by_role("button", name="Publish the forward plan").click()
    assert "The forward plan is published" in page.content()
    assert page.console_problems == []

    Board.objects.filter(pk=board.pk).update(public_pages_enabled=True)
    page.context.clear_cookies()
    page.goto(f"{base}/public/{board.slug}/")
    page.get_by_role("link", name="Forward plan").click()
    content = page.content()
    for body in ("Warwickshire Police", "Warwickshire County Council", "Commissioner"):
        assert body in content
    assert "Exempt item" in content and "exempt, paragraph 3" in content
    assert f"{cabinet_day:%-d %B %Y}" in content

    # Meanwhile two bodies decided another recommendation and a meeting's papers went out.
    request.getfixturevalue("approved")
    request.getfixturevalue("report")
    read_the_decisions_and_a_part_1_report(page, base, board)
    assert page.console_problems == []
