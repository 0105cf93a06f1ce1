"""Handling markings (UK Government Security Classifications): OFFICIAL, or OFFICIAL-SENSITIVE
with any of the descriptors COMMERCIAL, LOCSEN and PERSONAL ("OFFICIAL-SENSITIVE COMMERCIAL
PERSONAL").

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
from django.db import migrations, models
from django.db.models import Q
from django.db.models.query_utils import DeferredAttribute


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
    "with OFFICIAL-SENSITIVE; choose as many as apply."
)

# The order descriptors are written in, wherever they are (a stamp, a badge, the stored text).
DESCRIPTOR_ORDER: tuple[str, ...] = tuple(Descriptor.values)
DESCRIPTOR_SEPARATOR = ","


def descriptor_set(value: "str | Iterable[str] | None") -> frozenset[str]:
    """The descriptors of ``value``: a set or list of them, or their stored text
    ("commercial,personal"; "" for none). An unknown descriptor is refused (ValueError)."""
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = value.split(DESCRIPTOR_SEPARATOR)
    found = frozenset(str(item).strip() for item in value) - {""}
    unknown = found - set(DESCRIPTOR_ORDER)
    if unknown:
        raise ValueError(f"Unknown descriptor {min(unknown)!r}.")
    return found


def ordered_descriptors(descriptors: Iterable[str]) -> list[str]:
    """The descriptors in their fixed order (COMMERCIAL, LOCSEN, PERSONAL)."""
    chosen = set(descriptors)
    return [value for value in DESCRIPTOR_ORDER if value in chosen]


def descriptor_text(descriptors: "str | Iterable[str] | None") -> str:
    """How a set of descriptors is stored: their values in the fixed order, comma-separated."""
    return DESCRIPTOR_SEPARATOR.join(ordered_descriptors(descriptor_set(descriptors)))


@dataclass(frozen=True)
class Marking:
    level: str = Level.OFFICIAL
    descriptors: frozenset[str] = frozenset()

    @classmethod
    def of(cls, level: str, descriptors: "str | Iterable[str] | None" = ()) -> "Marking":
        """The marking of a level and its descriptors (a set, or their stored text); the
        descriptors are dropped from anything not OFFICIAL-SENSITIVE."""
        if level not in Level.values:
            raise ValueError(f"Unknown marking {level!r}.")
        found = descriptor_set(descriptors)
        if level != Level.OFFICIAL_SENSITIVE:
            return cls()
        return cls(level, found)

    @property
    def is_sensitive(self) -> bool:
        return self.level == Level.OFFICIAL_SENSITIVE

    @property
    def text(self) -> str:
        """ "OFFICIAL", "OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE COMMERCIAL PERSONAL"."""
        words = [Level(self.level).label]
        words += [Descriptor(d).label for d in ordered_descriptors(self.descriptors)]
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


class DescriptorsAttribute(DeferredAttribute):
    """A marked row's descriptors always read as a set, whatever was assigned (a list from a
    form, the stored text, a set)."""

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = descriptor_set(value)


class DescriptorsField(models.CharField):
    """The descriptors of a marking, a set (``frozenset``) in Python.

    Stored as one text column (``descriptor_text``: "commercial,personal", "" for none), the
    same on PostgreSQL and on the embedded SQLite database: a check constraint compares it with
    "" (``descriptor_only_when_sensitive``), and the fixed order makes equal sets equal text.
    Forms show one checkbox per descriptor, in a fieldset."""

    descriptor_class = DescriptorsAttribute

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> frozenset[str]:
        return descriptor_set(value)

    def to_python(self, value: Any) -> frozenset[str]:
        try:
            return descriptor_set(value)
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def get_prep_value(self, value: Any) -> str:
        return descriptor_text(value)

    def value_to_string(self, obj: models.Model) -> str:
        value: Any = self.value_from_object(obj)
        return descriptor_text(value)

    def formfield(self, **kwargs: Any) -> forms.Field:
        name = str(self.verbose_name)
        return descriptors_form_field(
            label=kwargs.get("label") or name[:1].upper() + name[1:],
            help_text=str(self.help_text),
        )


def descriptors_form_field(
    *, label: str = "Descriptors (only with OFFICIAL-SENSITIVE)", help_text: str = DESCRIPTOR_HELP
) -> forms.MultipleChoiceField:
    """One checkbox per descriptor; Django and the form renderer put them in a fieldset whose
    legend is the label."""
    return forms.MultipleChoiceField(
        label=label,
        choices=Descriptor.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


def descriptors_field() -> DescriptorsField:
    return DescriptorsField(
        "descriptors (only with OFFICIAL-SENSITIVE)",
        help_text=DESCRIPTOR_HELP,
    )


SENSITIVE = Q(marking=Level.OFFICIAL_SENSITIVE)


def descriptor_only_when_sensitive(name: str, level: str = "marking") -> models.CheckConstraint:
    """Descriptors are given only with OFFICIAL-SENSITIVE (``level`` names the level's field,
    its descriptors are ``<level>_descriptors``)."""
    return models.CheckConstraint(
        condition=Q(**{f"{level}_descriptors": ""}) | Q(**{level: Level.OFFICIAL_SENSITIVE}),
        name=name,
    )


def descriptor_set_operations(
    model_name: str, constraint: str, level: str = "marking"
) -> list[migrations.operations.base.Operation]:
    """The migration from one descriptor (``<level>_descriptor``) to a set of them
    (``<level>_descriptors``) for one marked model; the same steps for every one of them.

    The column is renamed, not copied: a single descriptor's stored text ("commercial") is
    already the text of the set holding it, so every existing descriptor is kept as it is.
    The check constraint is taken off while the column changes and put back on the new one."""
    return [
        migrations.RemoveConstraint(model_name=model_name, name=constraint),
        migrations.RenameField(
            model_name=model_name,
            old_name=f"{level}_descriptor",
            new_name=f"{level}_descriptors",
        ),
        migrations.AlterField(
            model_name=model_name, name=f"{level}_descriptors", field=descriptors_field()
        ),
        migrations.AddConstraint(
            model_name=model_name,
            constraint=descriptor_only_when_sensitive(constraint, level),
        ),
    ]


DESCRIPTORS_WITHOUT_SENSITIVE = "Descriptors are used only with OFFICIAL-SENSITIVE."


def clean_marking(level: str, descriptors: "str | Iterable[str] | None") -> None:
    """For forms: descriptors without OFFICIAL-SENSITIVE are a mistake worth saying."""
    if descriptor_set(descriptors) and level != Level.OFFICIAL_SENSITIVE:
        raise ValidationError({"marking_descriptors": DESCRIPTORS_WITHOUT_SENSITIVE})


class Marked(models.Model):
    """The two fields every marked thing carries, and its ``handling`` marking."""

    marking = level_field()
    marking_descriptors = descriptors_field()

    class Meta:
        abstract = True

    @property
    def handling(self) -> Marking:
        return Marking.of(self.marking, self.marking_descriptors)

    @property
    def is_sensitive(self) -> bool:
        return self.marking == Level.OFFICIAL_SENSITIVE

    def clean(self) -> None:
        super().clean()
        clean_marking(self.marking, self.marking_descriptors)


MARKING_FIELDS = ("marking", "marking_descriptors")


class MarkingFormMixin(forms.Form):
    """The marking chosen on an upload, a creation or a change of marking (defaulting to the
    body's default, or the thing's own, given by the view as ``initial``), with descriptors,
    as checkboxes, only for OFFICIAL-SENSITIVE."""

    # Not required: a form sent without it (an older page, a script) takes the default given as
    # ``initial`` (the body's), as the page would have shown it.
    marking = forms.ChoiceField(
        label="Handling marking",
        choices=Level.choices,
        initial=Level.OFFICIAL,
        required=False,
        help_text="OFFICIAL-SENSITIVE matter is never published and never e-mailed in full.",
    )
    marking_descriptors = descriptors_form_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # After the form's own fields, beside the upload they mark.
        for name in MARKING_FIELDS:
            self.fields[name] = self.fields.pop(name)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("marking") and "marking" not in self.errors:
            cleaned["marking"] = self.get_initial_for_field(self.fields["marking"], "marking")
            cleaned["marking_descriptors"] = cleaned.get(
                "marking_descriptors"
            ) or self.get_initial_for_field(
                self.fields["marking_descriptors"], "marking_descriptors"
            )
        if (
            cleaned.get("marking_descriptors")
            and cleaned.get("marking") != Level.OFFICIAL_SENSITIVE
        ):
            self.add_error("marking_descriptors", DESCRIPTORS_WITHOUT_SENSITIVE)
        return cleaned

    def data_without_marking(self) -> dict[str, Any]:
        """The cleaned data for a service, the marking taken out (``chosen_marking``)."""
        return {key: value for key, value in self.cleaned_data.items() if key not in MARKING_FIELDS}

    def chosen_marking(self) -> Marking:
        return Marking.of(
            self.cleaned_data.get("marking") or Level.OFFICIAL,
            self.cleaned_data.get("marking_descriptors") or (),
        )


def marking_initial(marking: Marking) -> dict[str, Any]:
    """A form's initial values for a marking (e.g. a body's default)."""
    return {
        "marking": marking.level,
        "marking_descriptors": ordered_descriptors(marking.descriptors),
    }


def marking_fields(marking: Marking) -> dict[str, Any]:
    """A marked model's two fields for a marking."""
    return {"marking": marking.level, "marking_descriptors": marking.descriptors}
