"""Changing a thing's handling marking after it was created.

Every marked kind (an agenda item, a paper, a recommendation, a decision and its documents) is
described once by its app (``MarkedKind``, ``register``): who may see it and who may change its
marking (the app's permission rules), what its change rebuilds (the agenda pack, the minutes'
PDF, a decision notice: every combination holding it is built again and stamped anew), and
where to go back to. One form, service and view serve them all.

A change is kept in the thing's audit trail (who, from and to), and the form refuses to
overwrite a newer marking (``core.concurrency``): the version it carries is the moment of the
thing's last marking change, read from that trail under a row lock.

The publication rule reads the marking live: raised to OFFICIAL-SENSITIVE, the thing leaves the
public pages, feeds and API at once, and a combination holding it is unpublished until rebuilt
(it is "being built"). Lowered, it is published only where every other rule (exempt,
unpublished) already allowed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.models import AuditEvent
from audit.services import audit_record
from core.concurrency import EditConflict, VersionedFormMixin, ensure_current, version_token
from core.markings import Marked, Marking, MarkingFormMixin, marking_fields, marking_initial

VERB = "marking_changed"


@dataclass(frozen=True)
class MarkedKind:
    """One kind of marked thing, as its app describes it."""

    slug: str
    model: type[Marked]
    # "the agenda item “Estates review”"
    name: Callable[[Any], str]
    may_view: Callable[[Any, Any], bool]
    may_change: Callable[[Any, Any], bool]
    # Build again every combination holding it (called in the change's transaction; builds
    # are queued after commit).
    rebuild: Callable[[Any], None]
    back: Callable[[Any], str]
    related: tuple[str, ...] = ()
    # Other rows that carry the same marking (a paper's current version).
    also: Callable[[Any, Marking], None] | None = field(default=None)


KINDS: dict[str, MarkedKind] = {}


def register(kind: MarkedKind) -> MarkedKind:
    if kind.slug in KINDS and KINDS[kind.slug].model is not kind.model:
        raise ValueError(f"A marked kind called {kind.slug!r} already exists.")
    KINDS[kind.slug] = kind
    return kind


def marking_url(thing: Marked) -> str:
    """The address of the page changing ``thing``'s marking."""
    from django.urls import reverse

    for kind in KINDS.values():
        if isinstance(thing, kind.model):
            return reverse("marking_change", kwargs={"kind": kind.slug, "pk": thing.pk})
    raise LookupError(f"{type(thing).__name__} is not a registered marked kind.")


def _changes(thing: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.for_subject(thing).filter(verb=VERB)


def marking_version(thing: models.Model) -> str:
    """The version of a thing's marking: the moment of its last change ("none": never)."""
    last = _changes(thing).order_by("-at", "-pk").values_list("at", flat=True).first()
    return version_token(last)


class MarkingChangeForm(VersionedFormMixin, MarkingFormMixin, forms.Form):
    """The marking, with descriptors as checkboxes, and the version the page was opened on."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marking"].required = True


@transaction.atomic
def marking_change(
    *, kind: MarkedKind, thing: Marked, actor: Any, marking: Marking, seen: str | None
) -> bool:
    """Change ``thing``'s marking to ``marking``; False when it already was.

    Locks the row, refuses (``EditConflict``) when its marking was changed after the version
    ``seen``, writes the marking (and on the rows that carry it with it), asks for every
    combination holding it to be built again and appends the audit event."""
    current = kind.model.objects.select_for_update().get(pk=thing.pk)  # type: ignore[attr-defined]
    last = _changes(current).order_by("-at", "-pk").first()

    def since(_: Any) -> list[str]:
        if last is None:
            return []
        who = last.actor.full_name if last.actor else "Someone"
        return [f"{who} changed its marking to {last.after.get('marking', '')}."]

    ensure_current(
        current=last.at if last else None, seen=seen, what=kind.name(current), changes=since
    )
    before = current.handling
    if before == marking:
        return False
    kind.model.objects.filter(pk=current.pk).update(**marking_fields(marking))  # type: ignore[attr-defined]
    current.refresh_from_db()
    if kind.also is not None:
        kind.also(current, marking)
    # The rows that hold it (a meeting's PDFs, a decision notice) are written before the event is
    # appended: the audit trail's chain is locked from an event's insertion to the commit, so
    # taking a meeting's row after it would deadlock with a service that locked the meeting first
    # (saving minutes, say) and is about to append its own event.
    kind.rebuild(current)
    audit_record(
        subject=current,
        actor=actor,
        verb=VERB,
        summary=f"Marking of {kind.name(current)} changed from {before.text} to {marking.text}",
        before={"marking": before.text},
        after={"marking": marking.text},
    )
    return True


def _thing(request: HttpRequest, kind_slug: str, pk: int) -> tuple[MarkedKind, Marked]:
    kind = KINDS.get(kind_slug)
    if kind is None:
        raise Http404("There is nothing of that kind to mark.")
    manager = kind.model.objects  # type: ignore[attr-defined]
    thing = manager.select_related(*kind.related).filter(pk=pk).first()
    if thing is None or not kind.may_view(request.user, thing):
        raise Http404("There is nothing here that you may read.")
    if not kind.may_change(request.user, thing):
        raise PermissionDenied(
            f"Only those who may change {kind.name(thing)} may change its handling marking."
        )
    return kind, thing


@require_http_methods(["GET", "POST"])
def marking_change_view(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    from django.contrib import messages

    marked_kind, thing = _thing(request, kind, pk)
    form = MarkingChangeForm(
        request.POST if request.method == "POST" else None,
        initial=marking_initial(thing.handling),
        version=marking_version(thing),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = marking_change(
                kind=marked_kind,
                thing=thing,
                actor=request.user,
                marking=form.chosen_marking(),
                seen=form.opened_version,
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)
        else:
            chosen = form.chosen_marking().text
            messages.success(
                request,
                f"The marking is now {chosen}; what holds it is being built again."
                if changed
                else f"The marking was already {chosen}; nothing was changed.",
            )
            return redirect(marked_kind.back(thing))
    return render(
        request,
        "components/marking_change.html",
        {
            "form": form,
            "thing": thing,
            "name": marked_kind.name(thing),
            "back": marked_kind.back(thing),
        },
        status=400 if request.method == "POST" else 200,
    )
