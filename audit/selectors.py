"""Reading the audit trail back: the search the secretariat and administrators use, and the
changes since a version an edit form was opened on."""

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from .models import AuditEvent

CHANGES_SHOWN = 10


def changes_since(
    subject: models.Model,
    since: datetime | None,
    *,
    labels: Mapping[str, str] | None = None,
    verbs: tuple[str, ...] = (),
    part: tuple[str, int] | None = None,
) -> list[str]:
    """Who changed what on the subject after ``since``, oldest first, one sentence each:
    "Jane Doe, 1 December 2026 at 14:02: Review held on 1 December 2026: RAG green, ...".

    ``labels`` names the fields of an edit event in the person's words; ``verbs`` keeps only
    those kinds of event; ``part`` (``("item", 7)``) keeps only the events about one part of the
    subject, which its trail records with the part's id under that key (a meeting's agenda
    items and actions), each told by the fields it changed. Used to explain why a stale edit
    form was refused.
    """
    events = AuditEvent.objects.for_subject(subject).select_related("actor")
    if since is not None:
        events = events.filter(at__gt=since)
    if verbs:
        events = events.filter(verb__in=verbs)
    part_key = ""
    if part is not None:
        part_key, part_id = part
        events = events.filter(**{f"after__{part_key}": part_id})
    latest = list(events.order_by("-at", "-pk")[:CHANGES_SHOWN])
    return [describe(event, labels or {}, part_key=part_key) for event in reversed(latest)]


def describe(event: AuditEvent, labels: Mapping[str, str], *, part_key: str = "") -> str:
    who = event.actor.full_name if event.actor else "The portal"
    when = timezone.localtime(event.at).strftime("%-d %B %Y at %H:%M")
    details = [
        f"{labels.get(key, key.replace('_', ' '))} from {_plain(before)} to {_plain(after)}"
        for key, before, after in event.changes
        if key != part_key
    ]
    edit = part_key or event.verb == "edited" or event.verb.endswith(".changed")
    if edit and details:
        return f"{who}, {when}: changed {'; '.join(details)}"
    return f"{who}, {when}: {event.summary}"


def _plain(value: object) -> str:
    """A value as a person reads it: dates as 15 January 2027, nothing as "nothing"."""
    if value in (None, "", []):
        return "nothing"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    text = str(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return datetime.fromisoformat(text).strftime("%-d %B %Y")
        except ValueError:
            return text
    return f"“{text[:80]}{'…' if len(text) > 80 else ''}”"


# What the search offers under "what": a label, and the verbs (or "prefix." families) it covers.
EVENT_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sign_in": ("Sign-ins, failed sign-ins and lock-outs", ("sign_in.",)),
    "sign_out": ("Sign-outs", ("sign_out",)),
    "two_factor": ("Second factor: set-up, use and failures", ("two_factor.",)),
    "password": ("Password changes and resets", ("password.",)),
    "refused": ("Refused requests (403)", ("request.refused",)),
    "download": ("Downloads", ("download.",)),
    "upload": ("Uploads refused or not scanned by the virus check", ("upload.",)),
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


def documents_issued(sha256: str) -> list[AuditEvent]:
    """The audit events that anchored a PDF with this SHA-256, first issue first (one query)."""
    from .services import DOCUMENT_ISSUED

    return list(
        AuditEvent.objects.annotate(document_sha256=KeyTextTransform("sha256", "after"))
        .filter(verb=DOCUMENT_ISSUED, document_sha256=sha256.lower())
        .select_related("actor")
        .order_by("at", "pk")
    )


def document_issue_of(subject: models.Model, kind: str) -> AuditEvent | None:
    """The latest issue of a document of ``kind`` for the subject (whether it was signed)."""
    from .services import DOCUMENT_ISSUED

    return (
        AuditEvent.objects.for_subject(subject)
        .filter(verb=DOCUMENT_ISSUED, after__kind=kind)
        .order_by("-at", "-pk")
        .first()
    )
