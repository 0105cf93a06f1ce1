"""What every page needs to know about the signed-in person, read once and kept in the cache.

A person's current roles (with their boards and the bodies they represent), the bodies they may
decide for, their own organisation and the second factors they have set up are read together,
in a few queries, and kept in the cache (Redis in production) until something they were read
from changes. Each entry carries the versions it was built at (``core.caching.versioned``):

- the person's own version, new whenever the person, one of their roles or authorities, or one
  of their second factors is saved or deleted;
- everyone's version, new whenever a board or an organisation is changed or deleted (its name,
  whether it is active), or whenever rows of these tables are written in bulk
  (``queryset.update()`` and the like, ``boards.models.InvalidatesPeopleQuerySet``);
- today's date, since roles and authorities start and end on given days.

So a change is seen by the very next request, and nobody's entry is ever another person's: the
key holds the person's id. The cache is an optimisation only: without it (Redis unreachable) the
record is read from the database on every request.
"""

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import CharField, Model, Value
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone
from django_otp.models import Device

from core import caching

from .models import Board, BoardMembership, ExecutiveAuthority, Organisation, User
from .people_versions import (
    EVERYONE_VERSION,
    everyone_changed,
    person_changed,
    person_version_key,
)

KEEP_SECONDS = 10 * 60


def record_key(person_id: int) -> str:
    return f"person:{person_id}:record:v1"


@dataclass(frozen=True)
class PersonRecord:
    """The person's standing today: never another person's, never older than a change."""

    memberships: tuple[BoardMembership, ...]
    executive_organisation_ids: frozenset[int]
    organisation: Organisation | None
    # The persistent ids (``label/pk``) of the second factors the person has confirmed.
    confirmed_devices: frozenset[str]


EMPTY = PersonRecord((), frozenset(), None, frozenset())


def record_of(person: Any) -> PersonRecord:
    """The signed-in person's record, from the cache or read afresh; remembered on ``person``
    for the rest of the request."""
    if not person.is_authenticated:
        return EMPTY
    kept = getattr(person, "_person_record", None)
    if kept is None:
        kept = _read(person)
        person._person_record = kept
        organisation = kept[0].organisation
        field = User._meta.get_field("organisation")
        if organisation is not None and organisation.pk == person.organisation_id:
            field.set_cached_value(person, organisation)
    return kept[0]


def stamp_of(person: Any) -> tuple[str, ...]:
    """The versions the person's record was built at: part of the key of anything derived from
    it (the navigation's rendered HTML)."""
    record_of(person)
    return person._person_record[1]


def _read(person: User) -> tuple[PersonRecord, tuple[str, ...]]:
    today = timezone.localdate()
    return caching.versioned(
        record_key(person.pk),
        [EVERYONE_VERSION, person_version_key(person.pk)],
        lambda: _build(person, today),
        KEEP_SECONDS,
        also=(today.isoformat(),),
    )


def _build(person: User, today: Any) -> PersonRecord:
    from .selectors import executive_organisation_ids_of

    memberships = tuple(
        BoardMembership.objects.current(today)
        .filter(person_id=person.pk)
        .select_related("board", "organisation")
        .order_by("board__name", "role")
    )
    organisation = None
    if person.organisation_id is not None:
        organisation = (
            next(
                (
                    m.organisation
                    for m in memberships
                    if m.organisation_id == person.organisation_id
                ),
                None,
            )
            or Organisation.objects.filter(pk=person.organisation_id).first()
        )
    return PersonRecord(
        memberships=memberships,
        executive_organisation_ids=executive_organisation_ids_of(person),
        organisation=organisation,
        confirmed_devices=_confirmed_devices(person.pk),
    )


def _device_models() -> list[type[Device]]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, Device) and not model._meta.proxy and not model._meta.abstract
    ]


def _confirmed_devices(person_id: int) -> frozenset[str]:
    """Every kind of second factor the person has confirmed, in one query."""
    queries = [
        model.objects.filter(user_id=person_id, confirmed=True)
        .annotate(label=Value(model.model_label(), output_field=CharField()))
        .values_list("label", "pk")
        for model in _device_models()
    ]
    if not queries:
        return frozenset()
    rows = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    return frozenset(f"{label}/{pk}" for label, pk in rows)


# --- What makes a record out of date --------------------------------------------------------------


# Saved at every sign-in and password change: nothing the record (or the navigation) shows.
FIELDS_NOT_IN_THE_RECORD = frozenset({"last_login", "password"})


def _person_saved(
    sender: type[Model], instance: User, update_fields: Any = None, **kwargs: Any
) -> None:
    if update_fields is None or not FIELDS_NOT_IN_THE_RECORD.issuperset(update_fields):
        person_changed(instance.pk)


def _person_deleted(sender: type[Model], instance: User, **kwargs: Any) -> None:
    person_changed(instance.pk)


def _role_saving(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    # A role moved from one person to another (in the administration site) leaves both out of date.
    if instance.pk is not None:
        instance._person_before = (
            sender._default_manager.filter(pk=instance.pk)
            .values_list("person_id", flat=True)
            .first()
        )


def _role_changed(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    person_changed(instance.person_id, getattr(instance, "_person_before", None))


def _device_changed(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    person_changed(instance.user_id)


def _shared_changed(sender: Any, created: bool = False, **kwargs: Any) -> None:
    # A new board or body is in nobody's record until someone is given a role on it (which
    # renews that person's record).
    if not created:
        everyone_changed()


def connect() -> None:
    """Called once the apps are ready (boards.apps), when every second-factor model is known."""
    post_save.connect(_person_saved, sender=User, dispatch_uid="person-cache-user")
    post_delete.connect(_person_deleted, sender=User, dispatch_uid="person-cache-user")
    for signal in (post_save, post_delete):
        for model in (BoardMembership, ExecutiveAuthority):
            signal.connect(_role_changed, sender=model, dispatch_uid=f"person-cache-{model}")
        for shared in (Board, Organisation):
            signal.connect(_shared_changed, sender=shared, dispatch_uid=f"person-cache-{shared}")
        for device in _device_models():
            signal.connect(_device_changed, sender=device, dispatch_uid=f"person-cache-{device}")
    for model in (BoardMembership, ExecutiveAuthority):
        pre_save.connect(_role_saving, sender=model, dispatch_uid=f"person-cache-pre-{model}")
