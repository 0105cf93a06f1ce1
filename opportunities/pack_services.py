"""Writes of the decision record: the papers sent with a recommendation, the referral pack frozen
when it is sent, and the decision notices' PDFs."""

from datetime import timedelta
from functools import partial
from typing import IO

from django.core.files.base import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.services import audit_record
from boards.models import User
from core.enqueue import enqueue
from core.exceptions import Refused
from core.markings import Marking, marking_fields, strictest
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
    marking: Marking | None = None,
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
        **marking_fields(marking or actor.default_handling),
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


def notice_request_build(
    *, referral: Referral, marking: Marking | None = None
) -> DecisionNotice | None:
    """Ask for the referral's decision notice PDF to be (re)built, after commit; nothing for a
    referral without a final decision. A new generation makes any build under way moot.

    The notice is marked the strictest of ``marking`` (the decision's: by default the one the
    referral carries) and its decision documents' markings."""
    if referral.status not in FINAL_DECISIONS:
        return None
    notice, created = DecisionNotice.objects.get_or_create(referral=referral)
    chosen = marking or referral.handling
    documents = [document.handling for document in referral.documents.all()]
    fields = marking_fields(strictest([chosen, *documents]))
    DecisionNotice.objects.filter(pk=notice.pk).update(**fields)
    if not created:
        DecisionNotice.objects.filter(pk=notice.pk).update(
            generation=F("generation") + 1,
            state=DecisionNotice.State.BUILDING,
            requested_at=timezone.now(),
        )
    notice.refresh_from_db()
    transaction.on_commit(partial(_queue_notice_build, referral.pk, notice.generation))
    return notice


def _queue_notice_build(referral_id: int, generation: int) -> None:
    """Queue the build, unless the broker refused a message moments ago: the notice then stays
    "being built" and may be asked for again from its page (``notice_is_stale``)."""
    from .tasks import build_decision_notice

    enqueue(build_decision_notice, referral_id, generation, what="a decision notice")


# A notice still "being built" this long after it was asked for was lost (a broker outage, a
# worker gone): its page lets a reader ask for it again.
NOTICE_STALE_AFTER = timedelta(minutes=5)


def notice_is_stale(notice: DecisionNotice | None) -> bool:
    """No PDF is coming: never asked for, failed, or asked for long ago and still not built."""
    if notice is None or notice.state == DecisionNotice.State.FAILED:
        return True
    return (
        notice.state == DecisionNotice.State.BUILDING
        and notice.requested_at < timezone.now() - NOTICE_STALE_AFTER
    )
