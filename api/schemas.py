"""What the API answers with, as the OpenAPI schema documents it."""

from datetime import date, datetime

from ninja import Schema


class Refusal(Schema):
    detail: str


class PageOf(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    previous: str | None


# --- the public pages ---------------------------------------------------------------------------


class PublicMeeting(Schema):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    where: str
    status: str
    status_label: str


class PublicItem(Schema):
    number: int
    minute_reference: str
    title: str
    # An exempt (confidential) item: its number and Schedule 12A paragraph only.
    exempt: bool
    # Withheld from the public (exempt, or marked OFFICIAL-SENSITIVE): the title says why.
    withheld: bool
    minutes: str | None


class PublicMeetingDetail(PublicMeeting):
    agenda_is_public: bool
    minutes_are_public: bool
    minutes_approved_at: datetime | None
    # Why a cancelled meeting was cancelled, as its public page says ("" otherwise).
    cancelled_reason: str
    items: list[PublicItem]


class PublicMeetingPage(PageOf):
    results: list[PublicMeeting]


class BodyDecision(Schema):
    # The decision notice's id (``/decisions/{id}``).
    id: int
    organisation: str
    executive_body: str
    status: str
    status_label: str
    decided_at: datetime | None
    # The day the body took its decision (the day it was recorded, if not given).
    decision_date: date | None
    decision_reference: str
    conditions: str


class PublicMilestone(Schema):
    title: str
    description: str
    due_on: date
    percent_complete: int


class PublicCollaboration(Schema):
    id: int
    reference: str
    title: str
    summary: str
    theme: str
    status: str
    status_label: str
    lead_organisation: str | None
    # Only the decisions the register publishes: none where the board agreed in private.
    decisions: list[BodyDecision]
    # Delivery, per cent complete: the mean of the milestones' (null before any is set).
    progress: int | None
    milestones: list[PublicMilestone]


class PublicCollaborationPage(PageOf):
    results: list[PublicCollaboration]


class Delivery(Schema):
    id: int
    reference: str
    title: str
    status: str
    status_label: str
    # Per cent complete: the mean of the milestones' (null before any is set).
    progress: int | None
    milestones: list[PublicMilestone]


class DeliveryPage(PageOf):
    results: list[Delivery]


class CollaborationNamed(Schema):
    id: int
    reference: str
    title: str


class DecisionNotice(Schema):
    id: int
    organisation: str
    collaboration: CollaborationNamed
    status: str
    status_label: str
    decision_reference: str
    decision_date: date | None
    decided_at: datetime | None
    decision_making_body: str
    # Who took the decision and where ("Cllr Jo Webb, Cabinet"), when recorded.
    taken_by: str
    conditions: str
    reasons: str


class DecisionNoticeDetail(DecisionNotice):
    # What was decided: the collaboration's summary.
    summary: str


class DecisionNoticePage(PageOf):
    results: list[DecisionNotice]


class PublicPlanRow(Schema):
    meeting_on: date
    organisation: str
    forum: str
    decision_maker: str
    # As the public page words it: "REF title", "Exempt item" or
    # "Not published — OFFICIAL-SENSITIVE".
    decision: str
    # The collaboration decided, null for a decision taken in private or OFFICIAL-SENSITIVE.
    collaboration: int | None
    reference: str | None
    title: str | None
    key_decision: bool
    private: bool
    # The paragraph of Schedule 12A to the Local Government Act 1972, when private.
    exempt_paragraph: int | None
    sensitive: bool


class PublicForwardPlanPage(PageOf):
    published_at: datetime | None
    covers_from: date | None
    covers_to: date | None
    results: list[PublicPlanRow]


class Publication(Schema):
    # The Atom entry's id.
    id: str
    title: str
    # The public page of what was published.
    link: str
    published_at: datetime
    description: str


class PublicationPage(PageOf):
    results: list[Publication]


class NotPursued(Schema):
    id: int
    reference: str
    title: str
    theme: str
    lead_organisation: str | None
    not_pursued_on: date | None
    reason: str
    revisit_on: date | None


class NotPursuedPage(PageOf):
    results: list[NotPursued]


# --- signed in ----------------------------------------------------------------------------------


class Opportunity(Schema):
    id: int
    reference: str
    board: str
    title: str
    theme: str
    status: str
    status_label: str
    rag: str
    lead_organisation: str | None
    next_review_on: date | None
    updated_at: datetime


class OpportunityDetail(Opportunity):
    summary: str


class OpportunityPage(PageOf):
    results: list[Opportunity]


class Recommendation(Schema):
    id: int
    opportunity: int
    reference: str
    version: int
    wording: str
    agreed_on: date
    decision_due_on: date
    sent_at: datetime | None
    superseded_at: datetime | None


class RecommendationPage(PageOf):
    results: list[Recommendation]


class Referral(Schema):
    id: int
    recommendation: int
    opportunity: int
    reference: str
    title: str
    organisation: str
    executive_body: str
    status: str
    status_label: str
    sent_at: datetime | None
    due_on: date
    revision: int
    may_decide: bool


class ReferralPage(PageOf):
    results: list[Referral]


class Decision(Schema):
    referral: int
    recommendation: int
    reference: str
    organisation: str
    executive_body: str
    outcome: str
    outcome_label: str
    decision_reference: str
    notes: str
    decided_at: datetime | None
    decision_maker: str
    decision_forum: str
    decision_taken_on: date | None
    reasons: str
    conditions: str
    on_behalf: bool


class DecisionPage(PageOf):
    results: list[Decision]


class DecisionIn(Schema):
    """A body's decision, as the web form takes it. ``revision`` is the referral's revision
    you read (a decision on a referral changed since is refused with 409)."""

    outcome: str
    reference: str
    notes: str = ""
    revision: int
    decision_maker: str = ""
    decision_forum: str = ""
    decision_taken_on: date | None = None
    reasons: str = ""
    conditions: str = ""


class Meeting(Schema):
    id: int
    board: str
    title: str
    starts_at: datetime
    ends_at: datetime
    where: str
    status: str
    status_label: str


class MeetingItem(Schema):
    number: int
    minute_reference: str
    title: str
    exempt: bool
    withheld: bool


class MeetingDetail(Meeting):
    items: list[MeetingItem]


class MeetingPage(PageOf):
    results: list[Meeting]


class PlanEntry(Schema):
    referral: int
    reference: str
    title: str
    organisation: str
    forum: str
    decision_maker: str
    meeting_on: date
    key_decision: bool
    private: bool
    exempt_paragraph: int | None
    warnings: list[str]


class ForwardPlan(Schema):
    board: str
    first: date
    last: date
    entries: list[PlanEntry]
