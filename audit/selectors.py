"""Reading the audit trail: the search the secretariat and administrators use."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEvent

# What the search offers under "what": a label, and the verbs (or "prefix." families) it covers.
EVENT_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sign_in": ("Sign-ins, failed sign-ins and lock-outs", ("sign_in.",)),
    "sign_out": ("Sign-outs", ("sign_out",)),
    "two_factor": ("Second factor: set-up, use and failures", ("two_factor.",)),
    "password": ("Password changes and resets", ("password.",)),
    "refused": ("Refused requests (403)", ("request.refused",)),
    "download": ("Downloads", ("download.",)),
    "meeting": ("Meetings", ("meeting.",)),
    "person": ("People, roles and authorities", ("person.",)),
    "decision": ("Decisions recorded", ("decision",)),
    "register": (
        "The register",
        (
            "proposed",
            "edited",
            "status",
            "review_scheduled",
            "review_cleared",
            "reviewed",
            "estimated",
            "recommendation",
            "superseded",
            "referred",
        ),
    ),
}


def _kind_filter(kind: str) -> Q:
    condition = Q(pk__in=[])
    for verb in EVENT_KINDS[kind][1]:
        condition |= Q(verb__startswith=verb) if verb.endswith(".") else Q(verb=verb)
    return condition


def audit_events_search(
    *,
    who: str = "",
    kind: str = "",
    since: date | None = None,
    until: date | None = None,
    subject_type: ContentType | None = None,
    subject_id: int | None = None,
) -> QuerySet[AuditEvent]:
    """Events newest first, narrowed by who (name, e-mail or the sign-in name tried), the kind
    of event, the days (inclusive) and the object they concern."""
    events = AuditEvent.objects.select_related("actor", "subject_type").order_by("-at", "-pk")
    if who:
        people = get_user_model().objects.filter(
            Q(full_name__icontains=who) | Q(email__icontains=who)
        )
        events = events.filter(Q(actor__in=people) | Q(username__icontains=who.strip().lower()))
    if kind in EVENT_KINDS:
        events = events.filter(_kind_filter(kind))
    if since:
        events = events.filter(at__gte=_start_of(since))
    if until:
        events = events.filter(at__lt=_start_of(until + timedelta(days=1)))
    if subject_type is not None:
        events = events.filter(subject_type=subject_type)
    if subject_id is not None:
        events = events.filter(subject_id=subject_id)
    return events


def audited_object_types() -> QuerySet[ContentType]:
    """The kinds of object events are recorded about, for the search's "object" choice."""
    used = AuditEvent.objects.filter(subject_type__isnull=False).values("subject_type")
    return ContentType.objects.filter(pk__in=used.distinct()).order_by("model")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
