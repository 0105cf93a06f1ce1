"""Every upload is scanned by ClamAV before it is stored (core.uploads.scan_for_viruses, against
the real clamd of tests/clamav.py): on each upload path the EICAR test file is refused with a
form error naming the file and an audit event, and nothing is stored; a clean file goes
through; when clamd is down the upload is refused (fail closed) with a sentence; every form and
admin page that takes a file is one of the paths tested here."""

import importlib
import inspect
import io
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.deprecation import RemovedInDjango60Warning

from audit.models import AuditEvent
from core import uploads
from core.check_answers import CONFIRM_FIELD
from forwardplan.models import DecisionForum, ForumMeeting
from meetings.models import PaperVersion
from opportunities import referral_services
from opportunities.models import RecommendationPaper, ReferralDocument
from tests.clamav import EICAR, FOUND_AS
from tests.factories import PaperFactory, UserFactory, pdf_bytes
from tests.forwardplan.helpers import ics, vevent
from tests.opportunities.helpers import referral_for

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()
INFECTED_PDF = PDF + b"\n%" + EICAR + b"\n"


Send = Callable[[str, bytes], HttpResponse]


@dataclass(frozen=True)
class UploadPath:
    """One way a file reaches the portal: ``ready`` sets the scene and gives what sends a file
    (by name and content) there; ``stored`` counts what such files leave behind."""

    name: str
    clean: bytes
    infected: bytes
    ready: Callable[[pytest.FixtureRequest], Send]
    stored: Callable[[], int]
    accepted_status: int = 302


def _pdf(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _signed_in(request: pytest.FixtureRequest, person: str):
    return request.getfixturevalue("client_of")(request.getfixturevalue(person))


def paper(request) -> Send:
    meeting = request.getfixturevalue("published")
    client = _signed_in(request, "alice")
    return lambda name, content: client.post(
        reverse("paper_upload", kwargs={"pk": meeting.pk}),
        {"title": "Budget", "agenda_item": "", "file": _pdf(name, content)},
    )


def paper_version(request) -> Send:
    meeting = request.getfixturevalue("published")
    first = PaperFactory(meeting=meeting, title="Budget")
    client = _signed_in(request, "alice")
    return lambda name, content: client.post(
        reverse("paper_new_version", kwargs={"pk": meeting.pk, "paper": first.pk}),
        {"file": _pdf(name, content)},
    )


def recommendation_paper(request) -> Send:
    recommendation = request.getfixturevalue("record")(
        request.getfixturevalue("assessed"),
        [request.getfixturevalue("police"), request.getfixturevalue("fire")],
    )
    client = _signed_in(request, "alice")
    return lambda name, content: client.post(
        reverse("recommendation_papers", args=[recommendation.pk]),
        {"title": "Business case", "file": _pdf(name, content)},
    )


def answer_document(request) -> Send:
    referral = referral_for(request.getfixturevalue("referred"), request.getfixturevalue("fire"))
    referral_services.referral_ask(
        referral=referral, actor=request.getfixturevalue("erin"), question="Which stations?"
    )
    client = _signed_in(request, "alice")
    # A refused answer goes back to the record with the form's errors as messages.
    return lambda name, content: client.post(
        reverse("referral_answer", kwargs={"pk": referral.pk}),
        {"answer": "Leamington.", "document": _pdf(name, content)},
        follow=True,
    )


def _through_check_answers(client, url, data) -> HttpResponse:
    """A decision goes through "Check your answers" (the document kept meanwhile, scanned again
    when confirmed); a refused form never gets there."""
    sent = client.post(url, data)
    if sent.status_code != 302:
        return sent
    assert sent["Location"].endswith("?check")
    assert client.get(sent["Location"]).status_code == 200
    return client.post(url, {CONFIRM_FIELD: "yes"})


def decision_document(request) -> Send:
    referral = referral_for(request.getfixturevalue("referred"), request.getfixturevalue("fire"))
    client = _signed_in(request, "erin")
    data = {"outcome": "approved", "reference": "CAB/2026/14", "notes": ""}
    return lambda name, content: _through_check_answers(
        client,
        reverse("referral_detail", kwargs={"pk": referral.pk}),
        {**data, "revision": referral.revision, "document": _pdf(name, content)},
    )


def evidence_on_behalf(request) -> Send:
    referral = referral_for(request.getfixturevalue("referred"), request.getfixturevalue("council"))
    client = _signed_in(request, "alice")
    data = {
        "decided_by": "",
        "decision_forum": "Cabinet",
        "decision_taken_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "outcome": "approved",
        "reference": "CAB/2026/31",
        "notes": "",
    }
    return lambda name, content: _through_check_answers(
        client,
        reverse("referral_on_behalf", kwargs={"pk": referral.pk}),
        {**data, "revision": referral.revision, "document": _pdf(name, content)},
    )


def calendar_file(request) -> Send:
    request.getfixturevalue("board")
    forum = DecisionForum.objects.create(
        organisation=request.getfixturevalue("council"),
        name="Cabinet",
        decision_maker="The Leader and Cabinet",
        notice_days=28,
    )
    client = _signed_in(request, "alice")
    return lambda name, content: client.post(
        reverse("forum_import", kwargs={"slug": "warwickshire", "pk": forum.pk}),
        {"calendar_file": SimpleUploadedFile(name, content, content_type="text/calendar")},
    )


def document_to_verify(request) -> Send:
    client = _signed_in(request, "bob")
    return lambda name, content: client.post(
        reverse("document_verify"), {"document": _pdf(name, content)}
    )


CALENDAR = ics(vevent("cab-1@wcc", timezone.localdate() + timedelta(days=30)))
INFECTED_CALENDAR = CALENDAR.replace(b"SUMMARY:Cabinet", b"SUMMARY:Cabinet\r\nX-NOTE:" + EICAR)

PATHS = [
    UploadPath("meeting paper", PDF, INFECTED_PDF, paper, lambda: PaperVersion.objects.count()),
    UploadPath(
        "new version of a paper",
        PDF,
        INFECTED_PDF,
        paper_version,
        lambda: PaperVersion.objects.filter(number=2).count(),
    ),
    UploadPath(
        "paper sent with a recommendation",
        PDF,
        INFECTED_PDF,
        recommendation_paper,
        lambda: RecommendationPaper.objects.count(),
    ),
    UploadPath(
        "document with the secretariat's answer",
        PDF,
        INFECTED_PDF,
        answer_document,
        lambda: ReferralDocument.objects.count(),
        accepted_status=200,
    ),
    UploadPath(
        "document with an executive's decision",
        PDF,
        INFECTED_PDF,
        decision_document,
        lambda: ReferralDocument.objects.count(),
    ),
    UploadPath(
        "evidence of a decision recorded on a body's behalf",
        PDF,
        INFECTED_PDF,
        evidence_on_behalf,
        lambda: ReferralDocument.objects.count(),
    ),
    UploadPath(
        "a body's calendar file",
        CALENDAR,
        INFECTED_CALENDAR,
        calendar_file,
        lambda: ForumMeeting.objects.count(),
    ),
    UploadPath(
        "a PDF to verify",
        PDF,
        INFECTED_PDF,
        document_to_verify,
        lambda: AuditEvent.objects.filter(verb="document.verified").count(),
        accepted_status=200,
    ),
]
IDS = [path.name for path in PATHS]


def stored_files() -> set[Path]:
    media = Path(settings.MEDIA_ROOT)
    return {path for path in media.rglob("*") if path.is_file()} if media.exists() else set()


def send_counting_files(path: UploadPath, request, content: bytes) -> tuple[HttpResponse, set]:
    """The answer to sending the file, and the files stored meanwhile (the path's own set-up,
    such as a paper's first version, made before)."""
    send = path.ready(request)
    before = stored_files()
    response = send("budget-2026.pdf", content)
    return response, stored_files() - before


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_the_eicar_test_file_is_refused_and_never_stored(request, virus_scanner, path):
    response, new_files = send_counting_files(path, request, path.infected)
    assert response.status_code in (200, 400)
    body = response.content.decode()
    assert f"budget-2026.pdf contains a virus ({FOUND_AS}) and was not uploaded." in body
    assert path.stored() == 0
    assert new_files == set()
    [event] = AuditEvent.objects.filter(verb="upload.virus_found")
    assert event.actor is not None and event.path.startswith("/")
    assert event.after["name"] == "budget-2026.pdf"
    assert event.after["signature"] == FOUND_AS
    assert len(event.after["sha256"]) == 64


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_a_clean_file_is_scanned_and_accepted(request, virus_scanner, path):
    response = path.ready(request)("budget-2026.pdf", path.clean)
    assert response.status_code == path.accepted_status, response.content.decode()[:2000]
    assert path.stored() == 1
    assert not AuditEvent.objects.filter(verb__startswith="upload.").exists()


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_with_the_scanner_down_the_upload_is_refused_with_a_sentence(
    request, virus_scanner, path, settings, tmp_path
):
    settings.CLAMD_SOCKET = str(tmp_path / "stopped-clamd.sock")
    response, new_files = send_counting_files(path, request, path.clean)
    assert response.status_code in (200, 400)
    assert uploads.NOT_CHECKED in response.content.decode()
    assert path.stored() == 0
    assert new_files == set()
    [event] = AuditEvent.objects.filter(verb="upload.not_scanned")
    assert event.summary == "Refused budget-2026.pdf without a virus check"
    assert event.after["refused"] is True and "cannot reach clamd" in event.after["error"]


def test_a_virus_inside_a_word_document_is_found(request, virus_scanner):
    """ClamAV unpacks the Office file (a zip) and scans each part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        archive.writestr("word/embeddings/oleObject1.bin", EICAR)
    response = paper(request)("minutes.docx", buffer.getvalue())
    assert f"minutes.docx contains a virus ({FOUND_AS})" in response.content.decode()
    assert PaperVersion.objects.count() == 0


def test_a_file_larger_than_the_scanner_takes_is_refused(request, virus_scanner, settings):
    settings.MAX_UPLOAD_SIZE = 8 * 1024 * 1024
    large = PDF + b"\0" * (5 * 1024 * 1024)  # beyond the test clamd's 4 MB StreamMaxLength
    response = paper(request)("large.pdf", large)
    assert uploads.TOO_LARGE_TO_CHECK in response.content.decode()
    assert PaperVersion.objects.count() == 0


def test_accepting_unscanned_uploads_is_a_choice_that_is_recorded(
    request, virus_scanner, settings, tmp_path
):
    settings.CLAMD_SOCKET = str(tmp_path / "stopped-clamd.sock")
    settings.CLAMD_UNREACHABLE = "accept"
    response = paper(request)("budget-2026.pdf", PDF)
    assert response.status_code == 302
    assert PaperVersion.objects.count() == 1
    [event] = AuditEvent.objects.filter(verb="upload.not_scanned")
    assert event.summary == "Accepted budget-2026.pdf without a virus check"


def test_without_a_scanner_configured_nothing_is_scanned(request, settings):
    """The embedded default (`make run`): no clamd, uploads are taken as they are."""
    settings.CLAMD_SOCKET, settings.CLAMD_HOST = "", ""
    response = paper(request)("budget-2026.pdf", INFECTED_PDF)
    assert response.status_code == 302
    assert PaperVersion.objects.count() == 1


def test_a_refusal_can_be_found_in_the_audit_search(request, virus_scanner, client_of, alice):
    paper(request)("budget-2026.pdf", INFECTED_PDF)
    staff = UserFactory(is_staff=True)
    page = client_of(staff).get(reverse("audit_search"), {"kind": "upload"})
    assert page.status_code == 200
    assert f"Refused budget-2026.pdf: {FOUND_AS}" in page.content.decode()


# --- every way in is one of the paths above -----------------------------------------------------

# The forms that take a file, each tested above through the page that shows it.
SCANNED_FORMS = {
    "meetings.forms.PaperUploadForm",
    "opportunities.forms.AnswerForm",
    "opportunities.forms.DecisionForm",
    "opportunities.forms.OnBehalfForm",
    "opportunities.forms.RecommendationPaperForm",
    "forwardplan.forms.CalendarUploadForm",
    "portal.forms.DocumentVerifyForm",
}


def _project_forms() -> set[str]:
    found = set()
    root = Path(settings.BASE_DIR)
    for config in apps.get_app_configs():
        if not Path(config.path).is_relative_to(root) or ".venv" in Path(config.path).parts:
            continue
        if not (Path(config.path) / "forms.py").exists():
            continue
        module = importlib.import_module(f"{config.name}.forms")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, forms.BaseForm):
                continue
            if any(isinstance(field, forms.FileField) for field in cls.base_fields.values()):
                found.add(f"{module.__name__}.{name}")
    return found


def test_every_form_that_takes_a_file_is_a_path_tested_here():
    assert _project_forms() == SCANNED_FORMS


def test_no_admin_page_takes_a_file(admin_user):
    """Files reach the portal through its own pages only (each scanned, as tested above): in
    the admin they are read-only, on the add page and on the change page alike."""
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    offered = set()
    with warnings.catch_warnings():
        # Some admin forms have URL fields whose default scheme Django 6 changes: not our
        # concern here.
        warnings.simplefilter("ignore", RemovedInDjango60Warning)
        for model, model_admin in admin.site._registry.items():
            for obj in (None, model()):  # the add page, then a change page
                inlines = model_admin.get_inline_instances(request, obj)
                forms_shown = [
                    (model, model_admin.get_form(request, obj)),
                    *((inline.model, inline.get_formset(request, obj).form) for inline in inlines),
                ]
                for shown, form in forms_shown:
                    for name, field in form.base_fields.items():
                        if isinstance(field, forms.FileField):
                            offered.add(f"{shown._meta.label}.{name}")
    assert offered == set()
