"""The versions that date the people's cached records (``boards.person_cache``): one for
everyone and one per person. The models' bulk writes call here, so it imports no model."""

from core import caching

EVERYONE_VERSION = "people:version"


def person_version_key(person_id: int) -> str:
    return f"person:{person_id}:version"


def person_changed(*person_ids: int | None) -> None:
    """The records of these people are out of date."""
    caching.bump(person_version_key(pk) for pk in {*person_ids} if pk is not None)


def everyone_changed() -> None:
    """Every record is out of date (a board or an organisation changed, or rows were written in
    bulk)."""
    caching.bump([EVERYONE_VERSION])
