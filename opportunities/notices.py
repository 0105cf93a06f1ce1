"""The decision notice of a body's final decision on a referral, as a PDF built by a Celery task
(``build_decision_notice``), never in a request."""

import logging
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import document_issued_record
from core.govuk import govuk_date
from core.markings import Marking
from core.pdf import render_pdf
from core.signing import sign_pdf

from .models import DecisionNotice, Referral
from .selectors import referral_history
from .snapshots import pack_view

log = logging.getLogger(__name__)


def notice_referral(pk: int) -> Referral | None:
    """The referral with what its notice shows, in a handful of queries."""
    return (
        Referral.objects.select_related(
            "organisation",
            "decided_by",
            "recorded_by",
            "recommendation__opportunity__board",
            "recommendation__opportunity__lead_organisation",
        )
        .filter(pk=pk)
        .first()
    )


def notice_context(
    referral: Referral, documents: Q | None = None, notes_shown: bool = True
) -> dict[str, Any]:
    """What the notice page and its PDF show: the decision, the referral's history (deferrals,
    questions and answers, disputes), the pack as sent with what has changed since, and every
    body's decision on the same recommendation. ``documents`` narrows the decision documents
    to what the page's reader may read (the PDF lists them all, and is marked accordingly);
    without ``notes_shown`` the decision's notes are withheld from the history too."""
    recommendation = referral.recommendation
    shown = documents or Q()
    return {
        "referral": referral,
        "recommendation": recommendation,
        "opportunity": recommendation.opportunity,
        "pack": pack_view(recommendation),
        "documents": list(referral.documents.filter(shown)),
        "history": referral_history(referral, shown, notes_shown=notes_shown),
        "all_referrals": list(
            recommendation.referrals.select_related("organisation").order_by("organisation__name")
        ),
    }


def decision_notice_pdf(referral: Referral, marking: Marking) -> bytes:
    """The notice as a PDF, every page stamped with the notice's ``marking``."""
    return render_pdf(
        "pdf/decision_notice.html",
        {**notice_context(referral), "built_at": timezone.now()},
        marking=marking,
    )


def decision_notice_store(*, referral_id: int, generation: int) -> None:
    """Build and store the notice asked for by ``generation``; quietly nothing when a newer
    one was asked for meanwhile or the referral has gone."""
    notice = DecisionNotice.objects.filter(referral_id=referral_id).first()
    referral = notice_referral(referral_id)
    if notice is None or referral is None or notice.generation != generation:
        return
    reason = notice_signature_reason(referral)
    try:
        # Signed last, once every page is drawn: a change to the bytes after this breaks it.
        issued = sign_pdf(decision_notice_pdf(referral, notice.handling), reason=reason)
    except Exception:
        log.exception("The decision notice of referral %s could not be built", referral_id)
        DecisionNotice.objects.filter(pk=notice.pk, generation=generation).update(
            state=DecisionNotice.State.FAILED
        )
        return
    storage = notice.file.storage
    old_name = notice.file.name
    name = storage.save(f"notices/{uuid.uuid4().hex}.pdf", ContentFile(issued.content))
    with transaction.atomic():
        stored = DecisionNotice.objects.filter(pk=notice.pk, generation=generation).update(
            state=DecisionNotice.State.READY, file=name, built_at=timezone.now()
        )
        if stored == 1:
            document_issued_record(
                subject=notice,
                actor=None,
                kind=NOTICE_KIND,
                title=notice_title(referral),
                sha256=issued.sha256,
                signed=issued.signed,
                reason=reason,
            )
    if stored != 1:  # a newer build was asked for meanwhile: this one is not needed
        storage.delete(name)
    elif old_name:
        storage.delete(old_name)


NOTICE_KIND = "decision_notice"


def notice_title(referral: Referral) -> str:
    recommendation = referral.recommendation
    opportunity = recommendation.opportunity
    return (
        f"the decision notice of {referral.organisation.name} on {opportunity.reference} "
        f"{opportunity.title} (recommendation version {recommendation.version})"
    )


def notice_signature_reason(referral: Referral) -> str:
    """ "Approved for Warwickshire Police by Andrew Holt, 12 March 2027"; for a decision the
    secretariat recorded on the body's behalf, also who recorded it."""
    outcome = referral.get_status_display()
    organisation = referral.organisation.name
    who = referral.decision_taken_by or organisation
    reason = f"{outcome} for {organisation} by {who}, {govuk_date(referral.decision_date)}"
    if referral.on_behalf:
        recorder = referral.recorded_by.full_name if referral.recorded_by else "the secretariat"
        reason += f"; recorded on its behalf by {recorder}, Secretariat"
    return reason
