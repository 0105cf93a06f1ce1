"""Edits that cannot overwrite each other.

Every edit form carries the version of the row it was opened on (the row's ``updated_at``, in a
hidden field). The service that saves it locks the row and compares: if someone saved a newer
version meanwhile, the save is refused with ``EditConflict``, naming who changed what since, and
nothing is written. A fresh form (opened on the current version) saves as usual.

The referral decision form was the first to work this way (its ``revision`` counter); this is
the same check for every other edit form.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from .exceptions import Refused

VERSION_FIELD = "version"
NEVER = "none"


def version_token(stamp: datetime | None) -> str:
    """The version of a row as its edit form carries it: its last change, to the microsecond
    ("none" for something never set, such as an opportunity's first estimates)."""
    return stamp.isoformat() if stamp else NEVER


def version_stamp(token: str) -> datetime | None:
    """The moment a version token stands for (None for a row never changed, or a bad token)."""
    try:
        stamp = datetime.fromisoformat(token)
    except (TypeError, ValueError):
        return None
    return stamp if timezone.is_aware(stamp) else timezone.make_aware(stamp)


class EditConflict(Refused):
    """Saving would overwrite a newer version; ``changes`` says who changed what since."""

    def __init__(self, what: str, changes: Sequence[str]) -> None:
        self.changes = list(changes)
        super().__init__(
            f"{what[:1].upper()}{what[1:]} was changed by someone else after you opened this "
            "page, so your changes have not been saved and nothing of theirs was overwritten. "
            "Open the page again to see the latest version, then make your changes to it."
        )


def ensure_current(
    *,
    current: datetime | None,
    seen: str | None,
    what: str,
    changes: Callable[[datetime | None], Sequence[str]],
) -> None:
    """Refuse (``EditConflict``) unless ``seen`` is the version the row is at now.

    ``current`` is the row's ``updated_at``, read under a row lock by the caller; ``changes``
    describes what happened after a version (from the audit trail). A ``seen`` of None means the
    caller edits without a form (a script, a data migration) and is not checked.
    """
    if seen is None or seen == version_token(current):
        return
    since = version_stamp(seen)
    described = list(changes(since))
    if not described:
        when = timezone.localtime(current).strftime("%-d %B %Y at %H:%M") if current else ""
        described = [f"It was changed on {when}." if when else "It was changed."]
    raise EditConflict(what, described)


class VersionedFormMixin:
    """A form that carries, in a hidden field, the version of the row it was opened on.

    ``version`` is the row's current version token when the form is built; a submitted form
    keeps the version it was opened on (the posted value), which is what the service checks.
    """

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def __init__(self, *args: Any, version: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[VERSION_FIELD] = forms.CharField(
            widget=forms.HiddenInput, initial=version, required=False, max_length=64
        )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        if not cleaned.get(VERSION_FIELD) and self.fields[VERSION_FIELD].initial == NEVER:
            cleaned[VERSION_FIELD] = NEVER  # something new: there is no version to overwrite
        elif not cleaned.get(VERSION_FIELD):
            getattr(self, "add_error")(  # noqa: B009 - a mixin for Form and ModelForm
                None, "This page is out of date. Open it again, then make your changes."
            )
        return cleaned

    @property
    def opened_version(self) -> str:
        return self.cleaned_data.get(VERSION_FIELD) or ""

    def edited_data(self) -> dict[str, Any]:
        """The cleaned values without the version, to hand to a service."""
        return {key: value for key, value in self.cleaned_data.items() if key != VERSION_FIELD}

    def show_conflict(self, conflict: EditConflict) -> None:
        """Show the refusal and each change made since, above the form the person filled in."""
        add_error = getattr(self, "add_error")  # noqa: B009 - a mixin for Form and ModelForm
        add_error(None, conflict.message)
        for change in conflict.changes:
            add_error(None, change)
