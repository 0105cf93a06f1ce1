"""The referral pack: what was sent for decision is frozen per version, with its papers; the
referral page says what has changed since, and version 2's page what changed from version 1."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import uploads
from opportunities import pack_services, services
from opportunities.models import Theme
from opportunities.review_services import BodyBenefit, benefit_estimates_set
from opportunities.snapshots import pounds, word_difference
from tests.opportunities.helpers import referral_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def estimate(opportunity, actor, amounts):
    benefit_estimates_set(
        opportunity=opportunity,
        actor=actor,
        period_end=date(2027, 3, 31),
        estimates=[BodyBenefit(body, Decimal(amount)) for body, amount in amounts.items()],
    )


@pytest.fixture
def costed(assessed, alice, police, fire):
    services.opportunity_update(
        opportunity=assessed,
        actor=alice,
        estimated_cost=Decimal("140000"),
        risks="Planning consent may be late.",
        non_cashable_benefits="Joint crews on one site.",
    )
    estimate(assessed, alice, {police: "60000", fire: "40000"})
    return assessed


@pytest.fixture
def sent(costed, record, alice, police, fire):
    """Sent to Police and Fire only (the council's executive, cara, has no referral), with a
    paper attached before sending."""
    recommendation = record(
        costed, [police, fire], wording="Build the shared station at Leek Wootton."
    )
    pack_services.recommendation_paper_add(
        recommendation=recommendation,
        actor=alice,
        title="Business case",
        content=SimpleUploadedFile("case.pdf", PDF),
        name="case.pdf",
        size=len(PDF),
        kind=uploads.PDF,
    )
    services.recommendation_send(recommendation=recommendation, actor=alice)
    recommendation.refresh_from_db()
    return recommendation


def change_everything(opportunity, alice, police, fire, council):
    """Every fact of the opportunity an executive decides on, changed after sending."""
    services.opportunity_update(
        opportunity=opportunity,
        actor=alice,
        participating=[police, fire, council],
        title="Shared station and training centre",
        summary="Co-locate the stations and add a training centre.",
        theme=Theme.TRAINING,
        lead_organisation=fire,
        estimated_cost=Decimal("180000"),
        non_cashable_benefits="Joint crews and joint training.",
        risks="Planning consent may be late. Costs may rise.",
    )
    estimate(opportunity, alice, {police: "90000", fire: "40000", council: "5000"})


def difference_rows(body: str) -> dict[str, tuple[str, str]]:
    """The first differences table of a page: label → (before, after)."""
    table = body[body.index('class="table table-sm pack-differences"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(
        r'<th scope="row">([^<]*)</th>\s*<td class="value-before">(.*?)</td>\s*'
        r'<td class="value-after">(.*?)</td>',
        table,
        re.S,
    )
    long_rows = re.findall(r'<th scope="row">([^<]*)</th>\s*<td colspan="2">', table)
    found = {label: (before, after) for label, before, after in rows}
    found.update({label: ("", "") for label in long_rows})
    return found


def pack_facts(body: str) -> str:
    start = body.index('class="facts pack-facts"')
    return body[start : body.index("</dl>", start)]


def test_sending_keeps_the_pack_of_facts_and_papers(sent, police, fire):
    pack = sent.pack
    assert pack["title"] == "Shared fire and police station"
    assert pack["estimated_cost"] == "140000.00"
    assert pack["benefits"] == [
        {"body": fire.name, "cashable": "40000.00", "non_cashable": ""},
        {"body": police.name, "cashable": "60000.00", "non_cashable": ""},
    ]
    assert pack["benefits_total"] == "100000.00"
    assert pack["wording"] == "Build the shared station at Leek Wootton."
    assert pack["bodies"] == sorted([police.name, fire.name])
    assert [paper["title"] for paper in pack["papers"]] == ["Business case"]
    assert pack["decision_due_on"] == sent.decision_due_on.isoformat()


def test_unchanged_opportunity_shows_the_pack_without_a_warning(client_of, pat, sent, police):
    body = client_of(pat).get(reverse("referral_detail", args=[referral_for(sent, police).pk]))
    text = body.content.decode()
    assert "£140,000" in pack_facts(text)
    assert "The opportunity has changed since this was sent" not in text
    assert "Business case" in text


def test_every_change_after_sending_is_flagged_on_the_referral_page_and_the_notice(
    client_of, alice, pat, erin, sent, police, fire, council, django_capture_on_commit_callbacks
):
    change_everything(sent.opportunity, alice, police, fire, council)
    referral = referral_for(sent, police)

    page = client_of(pat).get(reverse("referral_detail", args=[referral.pk])).content.decode()

    facts = pack_facts(page)
    for sent_value in (
        "Shared fire and police station",
        "Co-locate the two stations in one building.",
        "Estates and shared premises",
        police.name,
        "£140,000",
        f"Estimated cashable benefit to {police.name}</dt><dd>£60,000",
        "£100,000",
        "Joint crews on one site.",
        "Planning consent may be late.",
    ):
        assert sent_value in facts, sent_value
    assert "£180,000" not in facts and "Shared station and training centre" not in facts
    assert "The opportunity has changed since this was sent" in page
    rows = difference_rows(page)
    assert rows["Title"] == ("Shared fire and police station", "Shared station and training centre")
    assert rows["Theme"] == ("Estates and shared premises", "Training")
    assert rows["Lead body"] == (police.name, fire.name)
    assert rows["Participating bodies"][1].count(",") == 2
    assert rows["Estimated cost"] == ("£140,000", "£180,000")
    assert rows[f"Estimated cashable benefit to {police.name}"] == ("£60,000", "£90,000")
    assert rows[f"Estimated cashable benefit to {council.name}"] == ("Not estimated", "£5,000")
    assert rows["Estimated cashable benefit, all bodies"] == ("£100,000", "£135,000")
    for long_field in ("Summary", "Non-cashable benefits", "Risks"):
        assert long_field in rows
    # Nothing the board chose for this version changed, so it is not listed.
    for kept in ("The recommendation&#x27;s wording", "Referred to", "Decisions due by", "Papers"):
        assert kept not in rows
    assert f"Estimated cashable benefit to {fire.name}" not in rows

    fire_referral = referral_for(sent, fire)
    fire_referral.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_decide(
            referral=fire_referral,
            actor=erin,
            outcome="approved",
            reference="FRA/2026/3",
            notes="",
            seen_revision=fire_referral.revision,
        )
    notice = (
        client_of(pat).get(reverse("decision_notice", args=[fire_referral.pk])).content.decode()
    )
    assert "£140,000" in pack_facts(notice)
    assert "The opportunity has changed since this was sent" in notice
    assert difference_rows(notice)["Estimated cost"] == ("£140,000", "£180,000")


def test_version_two_shows_what_changed_since_version_one(
    client_of, alice, pat, sent, record, police, fire
):
    services.opportunity_update(
        opportunity=sent.opportunity, actor=alice, estimated_cost=Decimal("150000")
    )
    revised = record(
        sent.opportunity,
        [police, fire],
        wording="Build the shared station at Leek Wootton by 2028.",
    )
    services.recommendation_send(recommendation=revised, actor=alice)

    page = (
        client_of(pat)
        .get(reverse("referral_detail", args=[referral_for(revised, police).pk]))
        .content.decode()
    )

    assert "What changed since version 1" in page
    assert "The opportunity has changed since this was sent" not in page
    assert difference_rows(page)["Estimated cost"] == ("£140,000", "£150,000")
    hidden = re.compile(r'<span class="visually-hidden">[^<]*</span>')
    added = [hidden.sub("", text) for text in re.findall(r"<ins>(.*?)</ins>", page)]
    removed = [hidden.sub("", text) for text in re.findall(r"<del>(.*?)</del>", page)]
    assert added == ["Wootton by 2028."] and removed == ["Wootton."]
    assert '<span class="visually-hidden">[added: </span>' in page
    assert "style=" not in page


def test_a_recommendation_sent_before_packs_were_kept_shows_the_live_facts(
    client_of, pat, sent, police
):
    type(sent).objects.filter(pk=sent.pk).update(pack=None)
    page = client_of(pat).get(reverse("referral_detail", args=[referral_for(sent, police).pk]))
    assert "sent before the portal kept what was sent" in page.content.decode()


def test_word_difference_marks_removed_and_added_words():
    segments = word_difference("Build it at Warwick.", "Build it at Leamington.")
    assert [(s.kind, s.text) for s in segments] == [
        ("same", "Build it at "),
        ("removed", "Warwick."),
        ("added", "Leamington."),
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("87300.00", "£87,300"), ("12200.50", "£12,200.50"), (None, "Not estimated"), ("0.00", "£0")],
)
def test_amounts_are_shown_in_pounds(value, shown):
    assert pounds(value) == shown
