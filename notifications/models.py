"""Every message the portal must send is a row first: the record of what must be delivered."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from .unread import COUNTED_FIELDS, unread_changed


class Delivery(models.TextChoices):
    """How a person hears of one kind of notice; without a choice, by e-mail at once."""

    IMMEDIATE = "immediate", "E-mail me straight away"
    DIGEST = "digest", "Once a day, in a digest e-mail"
    PORTAL = "portal", "Only in my notification centre (no e-mail)"


class NotificationQuerySet(models.QuerySet["Notification"]):
    """Writes in bulk renew the recipients' unread counts (``notifications.unread``), as saving
    one row does."""

    def update(self, **kwargs: Any) -> int:
        people: list[int] = []
        if COUNTED_FIELDS & kwargs.keys():
            people = list(self.order_by().values_list("recipient_id", flat=True).distinct())
        rows = super().update(**kwargs)
        if rows:
            unread_changed(people)
        return rows

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        rows: list[Any] = list(objs)
        created = super().bulk_create(rows, *args, **kwargs)
        # Messages (an invitation, a password reset) are written already read: never counted.
        unread_changed(row.recipient_id for row in rows if row.read_at is None)
        return created

    def bulk_update(self, objs: Iterable[Any], fields: Any, *args: Any, **kwargs: Any) -> int:
        rows: list[Any] = list(objs)
        changed = super().bulk_update(rows, fields, *args, **kwargs)
        if COUNTED_FIELDS & set(fields):
            unread_changed(row.recipient_id for row in rows)
        return changed


class Notification(models.Model):
    class Kind(models.TextChoices):
        REFERRAL_SENT = "referral_sent", "Recommendation referred to your body"
        DECISION_RECORDED = "decision_recorded", "Decision recorded"
        OUTCOME_KNOWN = "outcome_known", "Outcome of a recommendation"
        DECISION_DUE = "decision_due", "Decision due soon"
        DECISION_OVERDUE = "decision_overdue", "Decision overdue"
        REPLY_OWED = "reply_owed", "Reply to a meeting invitation"
        ACTION_DUE = "action_due", "Action due soon"
        ACTION_OVERDUE = "action_overdue", "Action overdue"
        PAPERS_PUBLISHED = "papers_published", "Meeting papers published"
        MINUTES_DRAFTED = "minutes_drafted", "Draft minutes ready for the chair"
        MINUTES_APPROVED = "minutes_approved", "Minutes approved"
        REVIEW_DUE = "review_due", "Review due soon"
        REVIEW_OVERDUE = "review_overdue", "Review overdue"
        PROPOSAL_NEW = "proposal_new", "New opportunity proposed"
        REFERRAL_CLOSED = "referral_closed", "Referral closed, paused or resumed"
        CLARIFICATION = "clarification", "Question or answer on a referral"
        DECISION_ON_BEHALF = (
            "decision_on_behalf",
            "Decision recorded for your body by the secretariat",
        )
        DECISION_DISPUTED = "decision_disputed", "Disputed decision recorded for a body"
        SIGN_OFF_WITHDRAWN = "sign_off_withdrawn", "Agenda sign-off withdrawn by a change"

    class Message(models.TextChoices):
        """E-mails that are not notices: no preference, no digest, not in the centre; rows all
        the same, so they are swept, retried and logged like every notice."""

        PASSWORD_RESET = "password_reset", "Password reset link"
        PERSON_INVITATION = "person_invitation", "Invitation to join the portal"
        MEETING_INVITATION = "meeting_invitation", "Meeting invitation"
        MEETING_UPDATE = "meeting_update", "Meeting changed"
        MEETING_CANCELLED = "meeting_cancelled", "Meeting cancelled"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        # A worker is talking to the mail server (attempt_id says which attempt).
        SENDING = "sending", "Being sent"
        # The recipient chose the daily digest: the digest task, not the sweep, sends it.
        DIGEST = "digest", "Waiting for the daily digest"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # The recipient chose the notification centre only: never e-mailed, never swept.
        PORTAL_ONLY = "portal_only", "Not e-mailed (notification centre only)"
        # Overtaken before it was sent (the meeting changed again, the link was replaced).
        NOT_NEEDED = "not_needed", "Not sent: no longer needed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices + Message.choices)
    # One message per (recipient, event): a second attempt to notify the same event is a no-op.
    event_key = models.CharField(max_length=120)
    board = models.ForeignKey(
        "boards.Board",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The board whose business the message is about (for its secretariat's log).",
    )
    subject = models.CharField(max_length=250)
    link = models.CharField(max_length=300, help_text="Path of the page the message is about.")
    payload = models.JSONField(default=dict, help_text="Plain values the e-mail is built from.")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    delivery = models.CharField(
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.IMMEDIATE,
        help_text="How the recipient chose to hear of this kind of notice when it was written.",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    # When the sweep is to take the message if no task has sent it by then: shortly after it
    # is written (its own task should have sent it), or the time of the next retry.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The attempt now (or last) talking to the mail server, and when it began: a row found
    # "sending" long after is re-sent only if that same attempt is still on it.
    attempt_id = models.UUIDField(null=True, blank=True)
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    # Every copy of the message carries this Message-ID header, so receivers can drop a copy.
    message_id = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="notification_once_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # The sweep: messages waiting whose time has come, and attempts cut short.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "digest"]),
                name="notification_due",
            ),
            models.Index(
                fields=["attempt_started_at"],
                condition=models.Q(status="sending"),
                name="notification_sending",
            ),
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["board", "-created_at"]),
            # The unread count in every page's header.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            # Each person's notices waiting for the daily digest.
            models.Index(
                fields=["recipient", "created_at"],
                condition=models.Q(status="digest"),
                name="notification_digest_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient}"

    @property
    def delivery_label(self) -> str:
        """What happened to the message, in words, for the message log and the centre."""
        if self.status == self.Status.SENT and self.delivery == Delivery.DIGEST:
            return "Sent in the daily digest"
        return self.Status(self.status).label

    @property
    def kind_label(self) -> str:
        """The kind in words, by lookup (get_kind_display() rebuilds the choices each call)."""
        return KIND_LABELS.get(self.kind, self.kind)

    def deletion_refusal(self) -> str:
        return "A notification is the record of what the portal told someone; it is kept."


KIND_LABELS: dict[str, str] = dict(Notification.Kind.choices + Notification.Message.choices)

STATUS_FOR_DELIVERY: dict[str, str] = {
    Delivery.IMMEDIATE: Notification.Status.PENDING,
    Delivery.DIGEST: Notification.Status.DIGEST,
    Delivery.PORTAL: Notification.Status.PORTAL_ONLY,
}


class NotificationPreference(models.Model):
    """A person's choice of how to hear of one kind of notice (no row: e-mail at once)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(max_length=40, choices=Notification.Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind"], name="notification_preference_once_per_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(delivery__in=Delivery.values),
                name="notification_preference_known_delivery",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.get_kind_display()} — {self.get_delivery_display()}"


class Webhook(models.Model):
    """Where a body's own case system is told, by a signed POST, that a referral awaits the
    body. Set by a board's secretariat; the secret signs every delivery (HMAC-SHA256)."""

    organisation = models.OneToOneField(
        "boards.Organisation", on_delete=models.CASCADE, related_name="webhook"
    )
    url = models.URLField("Address", max_length=500)
    secret = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Webhook of {self.organisation}"


class WebhookDelivery(models.Model):
    """One event for one body's webhook: a row written in the transaction that made the event,
    POSTed by a task after commit, retried from the row, delivered once (the same protocol as
    a notification: claim, send, record by the same attempt)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    board = models.ForeignKey(
        "boards.Board", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event = models.CharField(max_length=60)
    # One delivery per (webhook, event): writing the same event twice is a no-op.
    event_key = models.CharField(max_length=120)
    summary = models.CharField(max_length=250)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempt_id = models.UUIDField(null=True, blank=True)
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event_key"], name="webhook_delivery_once_per_event"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            ),
            models.Index(
                fields=["attempt_started_at"],
                condition=models.Q(status="sending"),
                name="webhook_delivery_sending",
            ),
            models.Index(fields=["board", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook.organisation}"

    def deletion_refusal(self) -> str:
        return "A webhook delivery is the record of what the portal told a body; it is kept."
