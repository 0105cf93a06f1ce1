"""The audit trail: an append-only record of who did what, when, with the state before and after."""

from typing import Any, NoReturn, Self

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone


class AppendOnlyError(Exception):
    """Audit events are never changed or deleted."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_subject(self, subject: models.Model) -> Self:
        return self.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        )

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be changed.")


class AuditEvent(models.Model):
    """One thing that happened to a subject (an opportunity, a meeting...).

    Events about parts of a subject (a recommendation, a referral) name the subject they belong
    to, so the subject's timeline is one indexed query. PostgreSQL refuses UPDATE and DELETE on
    this table (see the migration), on top of the model's own refusal.
    """

    # Security events (a failed sign-in under an unknown name, a refused page) have no subject.
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)
    verb = models.CharField(max_length=60)
    summary = models.CharField(max_length=500)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    # Where a security event came from: the sign-in name as normalised (never a password), the
    # client's address and browser, and the path asked for (secrets in it blanked out).
    username = models.CharField(max_length=254, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=500, blank=True)
    # The hash chain, written by PostgreSQL as the row is inserted (see migration 0004): the
    # event's place in the chain, the previous event's hash and this event's own hash, over
    # its content and the previous hash. ``manage.py verify_audit_chain`` checks it.
    chain_position = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "-at"]),
            models.Index(fields=["-at", "-id"], name="audit_event_at_idx"),
            models.Index(fields=["verb", "-at"], name="audit_event_verb_idx"),
            models.Index(fields=["actor", "-at"], name="audit_event_actor_idx"),
            models.Index(fields=["username", "-at"], name="audit_event_username_idx"),
            # The "verify a document" page finds an issued PDF by its SHA-256.
            models.Index(
                KeyTextTransform("sha256", "after"),
                condition=Q(verb="document.issued"),
                name="audit_event_document_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field the event changed."""
        keys = list(dict.fromkeys([*self.before, *self.after]))
        return [(key, self.before.get(key), self.after.get(key)) for key in keys]


class FileStoreReport(models.Model):
    """The weekly check of the file store: files no row points at, rows whose file is missing.
    The system owner reads these in the administration site."""

    checked_at = models.DateTimeField(default=timezone.now)
    files_stored = models.PositiveIntegerField()
    orphaned = models.JSONField(default=list, blank=True, help_text="Stored files no row names.")
    missing = models.JSONField(
        default=list, blank=True, help_text="Rows naming a file the store does not hold."
    )

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = "file store report"

    def __str__(self) -> str:
        when = timezone.localtime(self.checked_at)
        return f"File store on {when:%-d %B %Y}: {self.summary}"

    @property
    def summary(self) -> str:
        if not self.orphaned and not self.missing:
            return f"all {self.files_stored} files accounted for"
        return f"{len(self.orphaned)} orphaned, {len(self.missing)} missing"
