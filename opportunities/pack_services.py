"""Writes of the decision record: the papers sent with a recommendation, the referral pack frozen
when it is sent, and the decision notices' PDFs."""

from functools import partial
from typing import IO

from django.core.files.base import File
from django.db import transaction
from django.db.models import F

from audit.services import audit_record
from boards.models import User
from core.exceptions import Refused
from core.uploads import Kind, safe_original_name

from .models import DecisionNotice, Recommendation, RecommendationPaper, Referral
from .snapshots import referral_pack

FINAL_DECISIONS = (
    Referral.Status.APPROVED,
    Referral.Status.APPROVED_WITH_CONDITIONS,
    Referral.Status.DECLINED,
)


class PackRefused(Refused):
    """The pack of a recommendation cannot be changed now."""


def pack_refusal(recommendation: Recommendation) -> str | None:
    """Why papers cannot be added to the recommendation now; None when they can."""
    if recommendation.superseded_at is not None:
        return "A revised recommendation has replaced this one; add papers to the new version."
    if recommendation.sent_at is not None:
        return (
            f"Version {recommendation.version} has been sent: the papers the executives decide "
            "on cannot change. Record a revised recommendation to send other papers."
        )
    return None


@transaction.atomic
def recommendation_paper_add(
    *,
    recommendation: Recommendation,
    actor: User,
    title: str,
    content: IO[bytes],
    name: str,
    size: int,
    kind: Kind,
    source: str = "",
) -> RecommendationPaper:
    """Attach a paper (already checked by ``core.uploads.detect_kind``) to a recommendation not
    yet sent.

    Locks the recommendation so a paper cannot slip in while it is being sent, stores the file
    under a generated name and appends a "paper added" event to the opportunity's trail.
    """
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    refusal = pack_refusal(recommendation)
    if refusal:
        raise PackRefused(refusal)
    paper = RecommendationPaper(
        recommendation=recommendation,
        title=title,
        original_name=safe_original_name(name, kind),
        content_type=kind.content_type,
        size=size,
        source=source,
        added_by=actor,
    )
    paper.file.save(paper.original_name, File(content), save=False)
    paper.save()
    audit_record(
        subject=recommendation.opportunity,
        actor=actor,
        verb="paper_added",
        summary=f"Paper “{title}” added to recommendation v{recommendation.version}"
        + (f" from {source}" if source else ""),
        after={"recommendation": recommendation.pk, "paper": paper.pk, "title": title},
    )
    return paper


def pack_freeze(recommendation: Recommendation) -> None:
    """Keep the recommendation's referral pack as it is being sent (called by
    ``services.recommendation_send`` inside its transaction, with the recommendation locked)."""
    pack = referral_pack(recommendation)
    Recommendation.objects.filter(pk=recommendation.pk).update(pack=pack)
    recommendation.pack = pack


def notice_request_build(*, referral: Referral) -> DecisionNotice | None:
    """Ask for the referral's decision notice PDF to be (re)built, after commit; nothing for a
    referral without a final decision. A new generation makes any build under way moot."""
    if referral.status not in FINAL_DECISIONS:
        return None
    from .tasks import build_decision_notice

    notice, created = DecisionNotice.objects.get_or_create(referral=referral)
    if not created:
        DecisionNotice.objects.filter(pk=notice.pk).update(
            generation=F("generation") + 1, state=DecisionNotice.State.BUILDING
        )
        notice.refresh_from_db()
    transaction.on_commit(partial(build_decision_notice.delay, referral.pk, notice.generation))
    return notice
