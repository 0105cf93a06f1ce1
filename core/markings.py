"""Handling markings (UK Government Security Classifications): OFFICIAL, or OFFICIAL-SENSITIVE
with an optional descriptor (COMMERCIAL, LOCSEN, PERSONAL).

Every agenda item, paper, recommendation and decision document carries one (the ``Marked``
fields below). Whatever combines several things (an agenda pack, the minutes, a report, an
export) takes the strictest of them (``strictest``): OFFICIAL-SENSITIVE when any part is, with
the descriptors of every sensitive part. ``Marking.text`` is what is stamped on every PDF page,
written at the head of every export and shown in the badge beside the thing.

The rules built on them (who reads a body's sensitive decision documents, what is published,
what an e-mail may say) live with each app's querysets and permissions; they all ask
``is_sensitive``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Level(models.TextChoices):
    OFFICIAL = "official", "OFFICIAL"
    OFFICIAL_SENSITIVE = "official_sensitive", "OFFICIAL-SENSITIVE"


class Descriptor(models.TextChoices):
    """The descriptors of the Government Security Classifications, used only with
    OFFICIAL-SENSITIVE to say why the matter is sensitive."""

    COMMERCIAL = "commercial", "COMMERCIAL"
    LOCSEN = "locsen", "LOCSEN"
    PERSONAL = "personal", "PERSONAL"


DESCRIPTOR_HELP = (
    "COMMERCIAL: commercial or market-sensitive information; LOCSEN: sensitive information "
    "about a particular locality; PERSONAL: information about an identifiable person. Only "
    "with OFFICIAL-SENSITIVE."
)


@dataclass(frozen=True)
class Marking:
    level: str = Level.OFFICIAL
    descriptors: frozenset[str] = frozenset()

    @classmethod
    def of(cls, level: str, descriptor: str = "") -> "Marking":
        if level not in Level.values:
            raise ValueError(f"Unknown marking {level!r}.")
        if descriptor and descriptor not in Descriptor.values:
            raise ValueError(f"Unknown descriptor {descriptor!r}.")
        if level != Level.OFFICIAL_SENSITIVE:
            return cls()
        return cls(level, frozenset({descriptor}) if descriptor else frozenset())

    @property
    def is_sensitive(self) -> bool:
        return self.level == Level.OFFICIAL_SENSITIVE

    @property
    def text(self) -> str:
        """ "OFFICIAL", "OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE COMMERCIAL PERSONAL"."""
        words = [Level(self.level).label]
        words += [Descriptor(d).label for d in sorted(self.descriptors)]
        return " ".join(words)

    def __str__(self) -> str:
        return self.text


def parse(text: str) -> Marking:
    """The marking whose ``text`` this is ("OFFICIAL-SENSITIVE COMMERCIAL"), e.g. as stored
    for a built PDF; anything unknown reads as OFFICIAL-SENSITIVE, the safer side."""
    words = text.split()
    if words == [Level.OFFICIAL.label]:
        return OFFICIAL
    by_label = {d.label: d.value for d in Descriptor}
    return Marking(
        Level.OFFICIAL_SENSITIVE, frozenset(by_label[w] for w in words[1:] if w in by_label)
    )


def combination_field(verbose_name: str) -> models.CharField:
    """The marking of a built combination (a pack, the minutes' PDF), as its text."""
    return models.CharField(
        verbose_name, max_length=100, default=Level.OFFICIAL.label, editable=False
    )


# A built combination's text marking is sensitive when it starts so (``combination_field``).
SENSITIVE_TEXT = Level.OFFICIAL_SENSITIVE.label


OFFICIAL = Marking()
OFFICIAL_SENSITIVE = Marking(Level.OFFICIAL_SENSITIVE)


def strictest(markings: Iterable[Marking]) -> Marking:
    """The marking of a combination: OFFICIAL-SENSITIVE with every sensitive part's descriptors
    when any part is sensitive, otherwise OFFICIAL (also for nothing at all)."""
    sensitive = [marking for marking in markings if marking.is_sensitive]
    if not sensitive:
        return OFFICIAL
    descriptors: frozenset[str] = frozenset().union(*(m.descriptors for m in sensitive))
    return Marking(Level.OFFICIAL_SENSITIVE, descriptors)


def level_field() -> models.CharField:
    return models.CharField(
        "handling marking",
        max_length=20,
        choices=Level.choices,
        default=Level.OFFICIAL,
        help_text="UK Government Security Classifications. OFFICIAL-SENSITIVE matter is never "
        "published and never e-mailed in full.",
    )


def descriptor_field() -> models.CharField:
    return models.CharField(
        "descriptor",
        max_length=20,
        choices=Descriptor.choices,
        blank=True,
        help_text=DESCRIPTOR_HELP,
    )


SENSITIVE = Q(marking=Level.OFFICIAL_SENSITIVE)


def descriptor_only_when_sensitive(name: str) -> models.CheckConstraint:
    """A descriptor is given only with OFFICIAL-SENSITIVE."""
    return models.CheckConstraint(condition=Q(marking_descriptor="") | SENSITIVE, name=name)


def clean_marking(level: str, descriptor: str) -> None:
    """For forms: a descriptor without OFFICIAL-SENSITIVE is a mistake worth saying."""
    if descriptor and level != Level.OFFICIAL_SENSITIVE:
        raise ValidationError(
            {"marking_descriptor": "A descriptor is used only with OFFICIAL-SENSITIVE."}
        )


class Marked(models.Model):
    """The two fields every marked thing carries, and its ``handling`` marking."""

    marking = level_field()
    marking_descriptor = descriptor_field()

    class Meta:
        abstract = True

    @property
    def handling(self) -> Marking:
        return Marking.of(self.marking, self.marking_descriptor)

    @property
    def is_sensitive(self) -> bool:
        return self.marking == Level.OFFICIAL_SENSITIVE

    def clean(self) -> None:
        super().clean()
        clean_marking(self.marking, self.marking_descriptor)


class MarkingFormMixin(forms.Form):
    """The marking chosen on an upload or a creation (defaulting to the body's default, given
    by the view as ``initial``), with the descriptor only for OFFICIAL-SENSITIVE."""

    # Not required: a form sent without it (an older page, a script) takes the default given as
    # ``initial`` (the body's), as the page would have shown it.
    marking = forms.ChoiceField(
        label="Handling marking",
        choices=Level.choices,
        initial=Level.OFFICIAL,
        required=False,
        help_text="OFFICIAL-SENSITIVE matter is never published and never e-mailed in full.",
    )
    marking_descriptor = forms.ChoiceField(
        label="Descriptor (only with OFFICIAL-SENSITIVE)",
        choices=[("", "None"), *Descriptor.choices],
        required=False,
        help_text=DESCRIPTOR_HELP,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # After the form's own fields, beside the upload they mark.
        for name in ("marking", "marking_descriptor"):
            self.fields[name] = self.fields.pop(name)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("marking") and "marking" not in self.errors:
            cleaned["marking"] = self.get_initial_for_field(self.fields["marking"], "marking")
            cleaned["marking_descriptor"] = cleaned.get(
                "marking_descriptor"
            ) or self.get_initial_for_field(self.fields["marking_descriptor"], "marking_descriptor")
        if cleaned.get("marking_descriptor") and cleaned.get("marking") != Level.OFFICIAL_SENSITIVE:
            self.add_error(
                "marking_descriptor", "A descriptor is used only with OFFICIAL-SENSITIVE."
            )
        return cleaned

    def data_without_marking(self) -> dict[str, Any]:
        """The cleaned data for a service, the marking taken out (``chosen_marking``)."""
        return {
            key: value
            for key, value in self.cleaned_data.items()
            if key not in ("marking", "marking_descriptor")
        }

    def chosen_marking(self) -> Marking:
        return Marking.of(
            self.cleaned_data.get("marking") or Level.OFFICIAL,
            self.cleaned_data.get("marking_descriptor") or "",
        )


def marking_initial(marking: Marking) -> dict[str, str]:
    """A form's initial values for a marking (e.g. a body's default)."""
    return {"marking": marking.level, "marking_descriptor": min(marking.descriptors, default="")}


def marking_fields(marking: Marking) -> dict[str, str]:
    """A model's two fields for a marking with at most one descriptor."""
    return marking_initial(marking)
