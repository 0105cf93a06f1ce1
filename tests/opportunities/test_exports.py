"""The register and the decision matrix as CSV and Excel downloads."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from boards.models import Board
from opportunities import services
from opportunities.models import Opportunity, Rag, Referral, Status, Theme
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db
REGISTER = {"csv": reverse("register_export_csv"), "xlsx": reverse("register_export_xlsx")}


def matrix_url(board, kind):
    return reverse(f"decision_matrix_export_{kind}", kwargs={"slug": board.slug})


def read_csv(response, marking: str = "OFFICIAL") -> list[list[str]]:
    """The rows under the first line, which is the export's handling marking."""
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    first, *rows = csv.reader(io.StringIO(content))
    assert first == [f"Handling marking: {marking}"]
    return rows


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.content)).active


def xlsx_rows(response, marking: str = "OFFICIAL") -> list[list]:
    """The rows under the first, which is the workbook's handling marking (also its printed
    header and footer)."""
    sheet = read_xlsx(response)
    assert sheet.oddHeader.center.text == sheet.oddFooter.center.text == marking
    first, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert first[0] == f"Handling marking: {marking}"
    return rows


def rows_of(response, kind) -> list[list]:
    return read_csv(response) if kind == "csv" else xlsx_rows(response)


@pytest.fixture
def register(make_opportunity, police, fire, council):
    today = timezone.localdate()
    make_opportunity(
        title="Southam station",
        theme=Theme.ESTATES,
        lead_organisation=fire,
        participating=[fire, police],
        rag=Rag.GREEN,
        estimates={fire: Decimal("10000.25"), police: Decimal("2500.25")},
        estimated_cost=Decimal("40000"),
        next_review_on=today + timedelta(days=40),
    )
    make_opportunity(
        title="Arson taskforce",
        theme=Theme.PREVENTION,
        lead_organisation=police,
        participating=[police],
        summary='=HYPERLINK("http://evil.example","Click")',
    )
    make_opportunity(
        title="@Fleet workshop",
        theme=Theme.FLEET,
        lead_organisation=council,
        participating=[council],
    )


@pytest.fixture
def elsewhere_business(charlie, outsider_org):
    """An opportunity of charlie's board, recommended and sent to its body."""
    other = Board.objects.get(slug="elsewhere")
    opportunity = services.opportunity_propose(
        board=other,
        proposed_by=charlie,
        participating=[outsider_org],
        title="Elsewhere secret depot",
        summary="Not for Warwickshire.",
        theme=Theme.ESTATES,
        lead_organisation=outsider_org,
    )
    services.opportunity_transition(
        opportunity=opportunity, actor=charlie, to=Status.UNDER_ASSESSMENT
    )
    today = timezone.localdate()
    recommendation = services.recommendation_record(
        opportunity=opportunity,
        actor=charlie,
        wording="Do it elsewhere.",
        agreed_on=today,
        decision_due_on=today + timedelta(days=20),
        organisations=[outsider_org],
    )
    services.recommendation_send(recommendation=recommendation, actor=charlie)
    return opportunity


# --- the register --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_register_download_has_a_header_and_the_rows_on_the_page(
    client_of, bob, register, kind
):
    rows = rows_of(client_of(bob).get(REGISTER[kind], {"sort": "title"}), kind)
    assert rows[0][:3] == ["Reference", "Title", "Board"]
    assert [row[1] for row in rows[1:]] == [
        "'@Fleet workshop",
        "Arson taskforce",
        "Southam station",
    ]
    southam = rows[3]
    assert southam[3:8] == [
        "Estates and shared premises",
        "Proposed",
        "Green",
        "WFRS",
        "Police, WFRS",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"theme": "fleet"}, ["'@Fleet workshop"]),
        ({"q": "southam"}, ["Southam station"]),
        ({"rag": "green", "sort": "title"}, ["Southam station"]),
        (
            {"status": "nonsense", "sort": "title"},
            ["'@Fleet workshop", "Arson taskforce", "Southam station"],
        ),
    ],
)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_register_download_keeps_the_filters(client_of, bob, register, kind, query, expected):
    rows = rows_of(client_of(bob).get(REGISTER[kind], query), kind)
    assert [row[1] for row in rows[1:]] == expected


def test_the_register_csv_defuses_formulas(client_of, bob, register):
    rows = read_csv(client_of(bob).get(REGISTER["csv"], {"q": "arson"}))
    assert rows[1][-1] == '\'=HYPERLINK("http://evil.example","Click")'


def test_the_register_csv_writes_money_and_dates_plainly(client_of, bob, register):
    rows = read_csv(client_of(bob).get(REGISTER["csv"], {"q": "southam"}))
    header, southam = rows
    values = dict(zip(header, southam, strict=True))
    assert values["Estimated cashable benefit (£)"] == "12500.50"
    assert values["Estimated cost (£)"] == "40000.00"
    assert values["Next review"] == (timezone.localdate() + timedelta(days=40)).isoformat()


def test_the_register_workbook_has_bold_headers_widths_dates_and_numbers(client_of, bob, register):
    sheet = read_xlsx(client_of(bob).get(REGISTER["xlsx"], {"q": "southam"}))
    header = [cell.value for cell in sheet[2]]
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.column_dimensions["B"].width == 45
    row = {name: cell for name, cell in zip(header, sheet[3], strict=True)}
    assert row["Estimated cashable benefit (£)"].value == pytest.approx(12500.5)
    assert row["Estimated cashable benefit (£)"].number_format == "#,##0.00"
    assert isinstance(row["Next review"].value, datetime)
    assert row["Next review"].value.date() == timezone.localdate() + timedelta(days=40)
    assert row["RAG"].value == "Green"


def test_the_register_workbook_stores_formula_like_text_as_text(client_of, bob, register):
    sheet = read_xlsx(client_of(bob).get(REGISTER["xlsx"], {"q": "arson"}))
    summary = sheet.cell(row=3, column=sheet.max_column)
    assert summary.data_type == "s"
    assert summary.value.startswith("'=HYPERLINK")


def test_control_characters_pasted_into_a_summary_do_not_break_the_workbook(
    client_of, bob, make_opportunity
):
    make_opportunity(title="Pasted\x0bfrom Word", summary="Line one\x0bline two\x1f.")
    response = client_of(bob).get(REGISTER["xlsx"], {"q": "pasted"})
    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert "Pastedfrom Word" in rows[1]
    assert "Line oneline two." in rows[1]


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_the_register_download_is_named_with_the_date(client_of, bob, register, kind, content_type):
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=timezone.get_current_timezone())):
        response = client_of(bob).get(REGISTER[kind])
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="collaboration-register-2026-03-02.{kind}"'
    )


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_member_of_another_board_gets_only_their_own_boards_opportunities(
    client_of, charlie, register, elsewhere_business, kind
):
    rows = rows_of(client_of(charlie).get(REGISTER[kind]), kind)
    assert [row[1] for row in rows[1:]] == ["Elsewhere secret depot"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_register_download_never_holds_another_boards_opportunities(
    client_of, alice, register, elsewhere_business, kind
):
    rows = rows_of(client_of(alice).get(REGISTER[kind]), kind)
    assert len(rows) == 4
    assert "Elsewhere secret depot" not in {row[1] for row in rows}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_executive_gets_only_what_was_referred_to_their_body(
    client_of, erin, referred, make_opportunity, kind
):
    make_opportunity(title="Not referred yet")
    rows = rows_of(client_of(erin).get(REGISTER[kind]), kind)
    assert [row[1] for row in rows[1:]] == ["Shared fire and police station"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_anonymous_is_sent_to_sign_in_for_the_register_download(client, kind):
    assert client.get(REGISTER[kind])["Location"].startswith("/sign-in/")


def test_the_register_page_links_to_the_downloads_with_its_filters(client_of, bob, register):
    body = client_of(bob).get(reverse("register_list"), {"theme": "fleet", "page": "1"})
    html = body.content.decode()
    assert f'href="{REGISTER["csv"]}?theme=fleet"' in html
    assert f'href="{REGISTER["xlsx"]}?theme=fleet"' in html


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_register_download_queries_do_not_grow_with_rows(
    client_of, bob, make_opportunity, police, fire, django_assert_max_num_queries, kind
):
    client = client_of(bob)

    def download():
        response = client.get(REGISTER[kind])
        return rows_of(response, kind)  # a streamed CSV runs its queries as it is read

    download()
    for index in range(3):
        make_opportunity(title=f"Small {index}", participating=[police, fire])
    with django_assert_max_num_queries(20) as small:
        assert len(download()) == 4
    for index in range(40):
        make_opportunity(title=f"Large {index}", participating=[police, fire])
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        assert len(download()) == 44
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the decision matrix -------------------------------------------------------------------------


@pytest.fixture
def decided(referred, police, fire, pat):
    decide(referral_for(referred, police), pat)
    Referral.objects.filter(pk=referral_for(referred, fire).pk).update(
        due_on=timezone.localdate() - timedelta(days=3)
    )
    return referred


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_matrix_download_has_each_bodys_decision(client_of, alice, board, decided, kind):
    rows = rows_of(client_of(alice).get(matrix_url(board, kind)), kind)
    header, row = rows
    # Bodies by full name, each with its decision's reference, date, decider and conditions.
    assert [column for column in header if " " not in column][-4:] == [
        "WCC",
        "WFRS",
        "Police",
        "Outcome",
    ]
    assert header[-6:] == [
        "Police",
        "Police reference",
        "Police decided on",
        "Police decided by",
        "Police conditions",
        "Outcome",
    ]
    values = dict(zip(header, row, strict=True))
    assert values["Reference"] == decided.opportunity.reference
    assert values["Police"] == "Approved"
    assert values["WCC"] == "Awaiting decision"
    assert values["WFRS"].startswith("Awaiting decision (overdue, due ")
    assert values["Outcome"] == "Awaiting"
    assert values["Current or superseded"] == "Current"


def test_the_matrix_workbook_has_dates_as_dates(client_of, alice, board, decided):
    sheet = read_xlsx(client_of(alice).get(matrix_url(board, "xlsx")))
    header = [cell.value for cell in sheet[2]]
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.cell(row=3, column=header.index("Version") + 1).value == 1
    due = sheet.cell(row=3, column=header.index("Decisions due") + 1).value
    assert due.date() == decided.decision_due_on
    assert isinstance(decided.decision_due_on, date)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_matrix_download_is_named_after_the_board_and_date(client_of, alice, board, kind):
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=timezone.get_current_timezone())):
        response = client_of(alice).get(matrix_url(board, kind))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="decisions-warwickshire-2026-03-02.{kind}"'
    )


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_matrix_download_never_holds_another_boards_recommendations(
    client_of, alice, board, decided, elsewhere_business, kind
):
    rows = rows_of(client_of(alice).get(matrix_url(board, kind)), kind)
    assert [row[1] for row in rows[1:]] == ["Shared fire and police station"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize(("person", "status"), [("bob", 403), ("charlie", 404), ("erin", 404)])
def test_others_may_not_download_the_matrix(
    client_of, request, board, decided, person, status, kind
):
    response = client_of(request.getfixturevalue(person)).get(matrix_url(board, kind))
    assert response.status_code == status
    assert "Content-Disposition" not in response


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_anonymous_is_sent_to_sign_in_for_the_matrix_download(client, board, kind):
    assert client.get(matrix_url(board, kind))["Location"].startswith("/sign-in/")


def test_the_matrix_page_links_to_the_downloads(client_of, alice, board):
    html = client_of(alice).get(reverse("decision_matrix", kwargs={"slug": board.slug}))
    assert matrix_url(board, "csv") in html.content.decode()
    assert matrix_url(board, "xlsx") in html.content.decode()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_matrix_download_queries_do_not_grow_with_recommendations(
    client_of,
    alice,
    board,
    make_opportunity,
    record,
    police,
    fire,
    django_assert_max_num_queries,
    kind,
):
    client = client_of(alice)

    def add(count):
        for index in range(count):
            opportunity = make_opportunity(title=f"Matrix {index}")
            Opportunity.objects.filter(pk=opportunity.pk).update(status=Status.UNDER_ASSESSMENT)
            opportunity.refresh_from_db()
            services.recommendation_send(
                recommendation=record(opportunity, [police, fire]), actor=alice
            )

    def download():
        return rows_of(client.get(matrix_url(board, kind)), kind)

    download()
    add(2)
    with django_assert_max_num_queries(20) as small:
        assert len(download()) == 3
    add(30)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        assert len(download()) == 33
    assert len(large.captured_queries) == len(small.captured_queries)


# --- handling markings ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_matrix_download_takes_the_strictest_marking_of_its_decisions(
    client_of, alice, board, decided, kind
):
    from core.markings import Descriptor, Level
    from opportunities.models import DecisionNotice

    reader = read_csv if kind == "csv" else xlsx_rows
    assert len(reader(client_of(alice).get(matrix_url(board, kind)), "OFFICIAL")) == 2
    notice = DecisionNotice.objects.get(referral__recommendation=decided)
    notice.marking = Level.OFFICIAL_SENSITIVE
    notice.marking_descriptors = Descriptor.COMMERCIAL
    notice.save()
    rows = reader(client_of(alice).get(matrix_url(board, kind)), "OFFICIAL-SENSITIVE COMMERCIAL")
    assert rows[0][0] == "Reference"
    type(decided).objects.filter(pk=decided.pk).update(
        marking=Level.OFFICIAL_SENSITIVE, marking_descriptors=Descriptor.PERSONAL
    )
    marking = "OFFICIAL-SENSITIVE COMMERCIAL PERSONAL"
    assert len(reader(client_of(alice).get(matrix_url(board, kind)), marking)) == 2
