"""Sign-ins, sign-outs, failures, lock-outs, password changes, refusals and downloads are
recorded as audit events, with where they came from, and never with a secret."""

import logging
import re
from datetime import date

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import safe_path
from core.log_redaction import RedactTokensFilter
from meetings.models import Meeting
from reports.models import ReportRun
from tests.factories import PASSWORD, PaperFactory

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Test browser)"


def events(verb):
    return list(AuditEvent.objects.filter(verb=verb).order_by("pk"))


def sign_in(client, username, password=PASSWORD):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        HTTP_USER_AGENT=BROWSER,
        REMOTE_ADDR="203.0.113.7",
    )


def test_a_sign_in_is_recorded_with_address_and_browser(client, bob):
    sign_in(client, "bob@fire.example")
    [event] = events("sign_in.succeeded")
    assert event.actor == bob
    assert event.subject == bob
    assert event.username == "bob@fire.example"
    assert event.address == "203.0.113.7"
    assert event.user_agent == BROWSER


def test_a_failed_sign_in_is_recorded_under_the_normalised_name(client, bob):
    sign_in(client, "  Bob@FIRE.example ", password="not-the-password")
    [event] = events("sign_in.failed")
    assert event.username == "bob@fire.example"
    assert event.actor is None
    assert event.address == "203.0.113.7"


def test_a_failed_sign_in_under_an_unknown_name_is_recorded(client, db):
    sign_in(client, "nobody@nowhere.example", password="guess")
    [event] = events("sign_in.failed")
    assert event.username == "nobody@nowhere.example"
    assert event.subject is None


def test_a_lock_out_is_recorded(client, bob, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        sign_in(client, "bob@fire.example", password="wrong-password")
    assert events("sign_in.locked_out")
    assert events("sign_in.locked_out")[0].username == "bob@fire.example"


def test_a_sign_out_is_recorded(client, bob):
    sign_in(client, "bob@fire.example")
    client.post(reverse("logout"))
    [event] = events("sign_out")
    assert event.actor == bob


def test_a_password_change_is_recorded(client_of, bob):
    client = client_of(bob)
    new = "a-new-and-longer-passphrase"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    [event] = events("password.changed")
    assert event.actor == bob


def test_a_password_reset_is_recorded_from_request_to_new_password(
    client, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "Bob@fire.example"})
    [requested] = events("password.reset_requested")
    assert requested.username == "bob@fire.example"
    link = re.search(r"https?://[^\s]+/password/reset/[^\s]+/", mail.outbox[0].body).group(0)
    path = link.split("portal.example.org", 1)[1]
    response = client.get(path, follow=True)
    new = "a-new-and-longer-passphrase"
    client.post(response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    [reset] = events("password.reset")
    assert reset.actor == bob
    assert reset.path == "/password/reset/[hidden]/[hidden]/"


def test_a_refused_request_is_recorded_with_person_path_and_address(client_of, bob, board):
    client = client_of(bob)
    response = client.get(
        reverse("person_invite", kwargs={"slug": board.slug}), REMOTE_ADDR="198.51.100.4"
    )
    assert response.status_code == 403
    [event] = events("request.refused")
    assert event.actor == bob
    assert event.path == f"/boards/{board.slug}/invite/"
    assert event.address == "198.51.100.4"


def test_a_paper_download_is_recorded(client_of, published, bob):
    paper = PaperFactory(meeting=published, title="Estates review")
    response = client_of(bob).get(
        reverse("paper_download", kwargs={"pk": published.pk, "paper": paper.pk})
    )
    assert response.status_code == 200
    [event] = events("download.paper")
    assert event.actor == bob
    assert event.subject == paper
    assert "Estates review" in event.summary


def test_tokens_are_blanked_out_of_recorded_paths(db):
    assert safe_path("/calendar/s3cr3t-token.ics") == "/calendar/[hidden].ics"
    assert safe_path("/invitation/abcdef123/") == "/invitation/[hidden]/"
    assert safe_path("/boards/warwickshire/") == "/boards/warwickshire/"


def test_no_password_or_token_is_ever_recorded_or_logged(
    client, bob, caplog, django_capture_on_commit_callbacks
):
    wrong = "Wr0ng-Pa55word-for-the-log"
    sign_in(client, "bob@fire.example", password=wrong)
    sign_in(client, "bob@fire.example")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "bob@fire.example"})
    token = re.search(r"/password/reset/[^/]+/([^/\s]+)/", mail.outbox[0].body).group(1)
    client.get(f"/calendar/{token}.ics")
    new = "another-new-long-passphrase"
    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    recorded = " ".join(
        str(value)
        for event in AuditEvent.objects.all()
        for value in (event.summary, event.before, event.after, event.path, event.username)
    )
    # What reaches the portal's log: each record as the console handler (and its filter of
    # tokens in addresses) passes it on.
    console = next(
        handler
        for handler in logging.getLogger("django").handlers
        if any(isinstance(f, RedactTokensFilter) for f in handler.filters)
    )
    logged = " ".join(record.getMessage() for record in caplog.records if console.filter(record))
    assert "/calendar/[redacted].ics" in logged
    assert AuditEvent.objects.count() >= 4
    for secret in (wrong, PASSWORD, new, token):
        assert secret not in recorded
        assert secret not in logged


def test_exports_of_the_register_and_decisions_are_recorded(client_of, alice, board):
    client = client_of(alice)
    assert client.get(reverse("register_export_csv")).status_code == 200
    assert client.get(reverse("decision_matrix_export_xlsx", kwargs={"slug": board.slug}))
    assert events("download.register")[0].actor == alice
    assert events("download.decision_matrix")[0].subject == board


def test_pack_and_minutes_downloads_are_recorded(client_of, bob, held):
    held.pack_file.save("pack.pdf", ContentFile(b"%PDF-1.4 pack"), save=False)
    held.minutes_pdf.save("minutes.pdf", ContentFile(b"%PDF-1.4 minutes"), save=False)
    held.pack_state = held.minutes_pdf_state = Meeting.FileState.READY
    held.status = Meeting.Status.MINUTES_APPROVED
    held.save()
    client = client_of(bob)
    assert client.get(reverse("pack_download", kwargs={"pk": held.pk})).status_code == 200
    assert client.get(reverse("minutes_download", kwargs={"pk": held.pk})).status_code == 200
    assert events("download.pack")[0].subject == held
    assert events("download.minutes")[0].actor == bob


def test_a_report_download_is_recorded(client_of, alice, board):
    run = ReportRun.objects.create(
        board=board,
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
        requested_by=alice,
        status=ReportRun.Status.DONE,
        progress=100,
    )
    run.file.save("report.pdf", ContentFile(b"%PDF-1.4 report"), save=True)
    response = client_of(alice).get(
        reverse("report_download", kwargs={"slug": board.slug, "pk": run.pk})
    )
    assert response.status_code == 200
    assert events("download.report")[0].subject == run
