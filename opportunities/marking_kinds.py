"""The register's marked things, whose marking may be changed after the fact
(``audit.marking_changes``): a recommendation and the papers sent with it (by the secretariat,
who records them), a body's decision and its documents (by the body's executives or the
secretariat). Each change builds again the decision notices holding it, and the board's
reports that may name it (a recommendation sent, a body's reasons for declining)."""

from django.dispatch import Signal
from django.utils import timezone

from audit.marking_changes import MarkedKind, register

from . import pack_services, permissions
from .models import Recommendation, RecommendationPaper, Referral, ReferralDocument


def notices_request_build(referrals: list[Referral]) -> None:
    """The decision notice of each of these referrals built again, and marked anew (a
    referral without a final decision has none)."""
    for referral in referrals:
        pack_services.notice_request_build(referral=referral)


# Sent when what the board's reports show of a sent recommendation changes marking, with the
# ``board`` and the day (``since``) from which its reports show it: the reports app (above
# this one) builds them again.
reports_outdated = Signal()


def reports_request_build(recommendation: Recommendation) -> None:
    """The board's reports over a period reaching the day the recommendation was sent."""
    if recommendation.sent_at is not None:
        reports_outdated.send(
            sender=Recommendation,
            board=recommendation.opportunity.board,
            since=timezone.localdate(recommendation.sent_at),
        )


def _recommendation_notices(recommendation: Recommendation) -> None:
    notices_request_build(list(recommendation.referrals.select_related("organisation")))
    reports_request_build(recommendation)


def _decision_rebuilt(referral: Referral) -> None:
    notices_request_build([referral])
    reports_request_build(referral.recommendation)


def register_kinds() -> None:
    register(
        MarkedKind(
            slug="recommendation",
            model=Recommendation,
            name=lambda r: f"recommendation v{r.version} on {r.opportunity.reference}",
            may_view=lambda person, r: (
                permissions.opportunities_visible_to(person).filter(pk=r.opportunity_id).exists()
            ),
            may_change=lambda person, r: permissions.can_manage_opportunity(person, r.opportunity),
            rebuild=_recommendation_notices,
            back=lambda r: r.opportunity.get_absolute_url(),
            related=("opportunity__board",),
        )
    )
    register(
        MarkedKind(
            slug="recommendation-paper",
            model=RecommendationPaper,
            name=lambda paper: f"the paper “{paper.title}”",
            may_view=lambda person, paper: (
                permissions.opportunities_visible_to(person)
                .filter(pk=paper.recommendation.opportunity_id)
                .exists()
            ),
            may_change=lambda person, paper: permissions.can_manage_opportunity(
                person, paper.recommendation.opportunity
            ),
            rebuild=lambda paper: _recommendation_notices(paper.recommendation),
            back=lambda paper: paper.recommendation.opportunity.get_absolute_url(),
            related=("recommendation__opportunity__board",),
        )
    )
    register(
        MarkedKind(
            slug="decision",
            model=Referral,
            name=lambda referral: f"the decision of {referral.organisation.name}",
            may_view=lambda person, referral: permissions.can_view_decision_record(
                person, referral
            ),
            may_change=permissions.can_change_decision_marking,
            rebuild=_decision_rebuilt,
            back=lambda referral: referral.get_record_url(),
            related=("organisation", "recommendation__opportunity__board"),
        )
    )
    register(
        MarkedKind(
            slug="decision-document",
            model=ReferralDocument,
            name=lambda document: f"the decision document “{document.original_name}”",
            may_view=lambda person, document: permissions.can_view_decision_record(
                person, document.referral, document.handling
            ),
            may_change=lambda person, document: permissions.can_change_decision_marking(
                person, document.referral
            ),
            rebuild=lambda document: notices_request_build([document.referral]),
            back=lambda document: document.referral.get_record_url(),
            related=("referral__organisation", "referral__recommendation__opportunity__board"),
        )
    )
