"""Times on the decision record and the decision notice are written the GOV.UK way ("3:30pm"),
never on the 24-hour clock ("15:30"): the referral's page, its decision record, the notice page
and the notice's PDF."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from opportunities import services
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db


def _visible(html: str) -> str:
    """The page's text as a reader sees it (a <time> element's machine-readable datetime
    attribute is, rightly, on the 24-hour clock)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# A Wednesday afternoon in London, in winter time and in summer time.
MOMENTS = [
    datetime(2026, 11, 18, 15, 30, tzinfo=ZoneInfo("Europe/London")),
    datetime(2026, 6, 17, 15, 30, tzinfo=ZoneInfo("Europe/London")),
]


@pytest.fixture(params=MOMENTS, ids=["winter", "summer"])
def decided_at_half_past_three(
    request, assessed, record, alice, pat, police, fire, django_capture_on_commit_callbacks
):
    """Police's referral, sent and decided at 3:30pm London time; its notice's PDF built."""
    with time_machine.travel(request.param, tick=False):
        recommendation = record(assessed, [police, fire], wording="Build the shared station.")
        services.recommendation_send(recommendation=recommendation, actor=alice)
        referral = referral_for(recommendation, police)
        with django_capture_on_commit_callbacks(execute=True):
            decide(referral, pat, reference="CC/2026/7")
    referral.refresh_from_db()
    return referral


def test_the_decision_record_shows_the_time_as_3_30pm(client_of, pat, decided_at_half_past_three):
    referral = decided_at_half_past_three
    client = client_of(pat)
    for url in (referral.get_absolute_url(), reverse("referral_record", args=[referral.pk])):
        page = _visible(client.get(url).content.decode())
        history = page[page.index("Decision record") :]
        day = referral.decided_at.astimezone(ZoneInfo("Europe/London"))
        assert f"{day.day} {day:%B %Y} at 3:30pm Approved reference CC/2026/7" in history, url
        assert "15:30" not in history, url


def test_the_decision_notice_shows_when_it_was_recorded_as_3_30pm(
    client_of, bob, decided_at_half_past_three
):
    referral = decided_at_half_past_three
    response = client_of(bob).get(reverse("decision_notice", args=[referral.pk]))
    page = _visible(response.content.decode())
    day = referral.decided_at.astimezone(ZoneInfo("Europe/London"))
    assert f"on {day.day} {day:%B %Y} at 3:30pm" in page
    assert "15:30" not in page


def test_the_notice_pdf_shows_when_it_was_recorded_as_3_30pm(
    client_of, bob, decided_at_half_past_three
):
    referral = decided_at_half_past_three
    response = client_of(bob).get(reverse("decision_notice_pdf", args=[referral.pk]))
    assert response.status_code == 200
    pdf = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "at 3:30pm" in text
    assert "15:30" not in text
