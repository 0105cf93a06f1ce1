"""Organisations, people, boards and the roles people hold on them."""

import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.concurrency import version_token
from core.markings import Marking, descriptor_only_when_sensitive, descriptors_field, level_field
from core.sealed import seal, unseal
from core.usernames import normalise_username

_Row = TypeVar("_Row", bound=models.Model)


class InvalidatesPeopleQuerySet(models.QuerySet[_Row]):
    """Rows that every page's record of the signed-in person is read from
    (``boards.person_cache``): saving or deleting one row is seen by signals, and writing many at
    once (``update``, ``bulk_create``, ``bulk_update``) makes every person's record out of date."""

    def update(self, **kwargs: Any) -> int:
        rows = super().update(**kwargs)
        if rows:
            _everyone_changed()
        return rows

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[_Row]:
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            _everyone_changed()
        return created

    def bulk_update(self, objs: Any, *args: Any, **kwargs: Any) -> int:
        rows = super().bulk_update(objs, *args, **kwargs)
        if rows:
            _everyone_changed()
        return rows


def _everyone_changed() -> None:
    from .people_versions import everyone_changed

    everyone_changed()


class Organisation(models.Model):
    """A body that sits on a board: police, fire and rescue, council, OPCC, ambulance..."""

    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        FIRE_AND_RESCUE = "fire_and_rescue", "Fire and rescue"
        COUNTY_COUNCIL = "county_council", "County council"
        OPCC = "opcc", "Office of the Police and Crime Commissioner"
        AMBULANCE = "ambulance", "Ambulance"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    executive_body = models.CharField(
        "executive body",
        max_length=200,
        help_text="Who decides for this organisation, e.g. the council's Cabinet.",
    )
    active = models.BooleanField(
        default=True, help_text="Off for a prospective member or one that has left."
    )
    joined_on = models.DateField(null=True, blank=True)
    # Handling markings (core.markings): what its people's uploads are marked unless they choose
    # otherwise, and whether its OFFICIAL-SENSITIVE decision documents are read by the other
    # bodies' executives and members (otherwise only by its own people, the chair and the
    # secretariat: opportunities.permissions.can_view_decision_record).
    default_marking = level_field()
    default_marking_descriptors = descriptors_field()
    shares_sensitive_decisions = models.BooleanField(
        "other bodies read its OFFICIAL-SENSITIVE decision documents",
        default=True,
        help_text="Off: its OFFICIAL-SENSITIVE decision notices and documents are read only by "
        "its own people, the board's chair and the secretariat.",
    )

    objects = InvalidatesPeopleQuerySet["Organisation"].as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            descriptor_only_when_sensitive(
                "organisation_descriptor_when_sensitive", level="default_marking"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def default_handling(self) -> Marking:
        return Marking.of(self.default_marking, self.default_marking_descriptors)


class UserQuerySet(InvalidatesPeopleQuerySet["User"]):
    pass


if TYPE_CHECKING:
    _UserManagerBase = BaseUserManager["User"]
else:
    # The manager's query sets renew the people's cached records on bulk writes.
    _UserManagerBase = BaseUserManager.from_queryset(UserQuerySet)


class UserManager(_UserManagerBase):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("A person needs an e-mail address to sign in.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        # The same spelling the lock-out counts (case, spaces): one account, one count.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": normalise_username(username)})


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address. A person belongs to one organisation."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "administrator", default=False, help_text="May sign in to the administration site."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    # Remembered for the request by boards.person_cache (set on first use, never stored).
    _person_record: tuple[Any, tuple[str, ...]]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def default_handling(self) -> Marking:
        """The marking of what this person uploads unless they choose: their body's default."""
        organisation = self.organisation
        return organisation.default_handling if organisation else Marking()

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Board(models.Model):
    """An advisory board of member organisations, e.g. the Joint Advisory Board."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    terms_of_reference = models.TextField(blank=True)
    organisations = models.ManyToManyField(
        Organisation, related_name="boards", blank=True, verbose_name="member organisations"
    )
    quorum_bodies = models.PositiveSmallIntegerField(
        "quorum (bodies represented)",
        default=3,
        help_text="The meeting is quorate when at least this many member bodies are represented.",
    )
    public_pages_enabled = models.BooleanField(
        default=False,
        help_text="Show meeting dates, approved minutes and approved collaborations publicly.",
    )
    two_factor_for_everyone = models.BooleanField(
        "second factor for everyone",
        default=False,
        help_text="Everyone on the board must sign in with a second factor, not only the "
        "secretariat, chairs and executives.",
    )
    public_not_pursued = models.BooleanField(
        "publish what was not pursued",
        default=False,
        help_text="With the public pages on, also show the opportunities the board considered "
        "and did not pursue, with the reasons.",
    )
    public_summary = models.TextField(
        "summary for the public",
        blank=True,
        help_text="A few sentences for residents and the press on the board's public home page. "
        "Leave empty to show the terms of reference alone.",
    )

    objects = InvalidatesPeopleQuerySet["Board"].as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("board_detail", kwargs={"slug": self.slug})

    def active_bodies(self) -> "models.QuerySet[Organisation]":
        """The board's member bodies still active, by name: those that take part, are
        referred recommendations and decide."""
        return self.organisations.filter(active=True).order_by("name")


class MembershipQuerySet(InvalidatesPeopleQuerySet["BoardMembership"]):
    def current(self, on: date | None = None) -> Self:
        """Memberships in force on a day (today by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)


class BoardMembership(models.Model):
    """A role a person holds on a board, for a period. A person may hold several."""

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        VICE_CHAIR = "vice_chair", "Vice-chair"
        MEMBER = "member", "Member"
        ADVISER = "adviser", "Adviser"
        OBSERVER = "observer", "Observer"
        SECRETARIAT = "secretariat", "Secretariat"

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text="The organisation the person represents on the board.",
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)
    # The version the membership's edit form carries (core.concurrency).
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["board", "organisation__name", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "board", "role", "starts_on"], name="membership_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="membership_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["board", "role"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}, {self.board}"

    @property
    def edit_version(self) -> str:
        return version_token(self.updated_at)

    def is_current(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


class AuthorityQuerySet(InvalidatesPeopleQuerySet["ExecutiveAuthority"]):
    def current(self, on: date | None = None) -> Self:
        on = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)

    def in_force(self, on: date | None = None) -> Self:
        """Authorities that let someone decide for a body today: current, held by a person who
        can sign in, for a body that is still active. The one definition of "a body's
        executives"."""
        return self.current(on).filter(person__is_active=True, organisation__active=True)


class ExecutiveAuthority(models.Model):
    """A person may record decisions of this organisation's executive body, for a period."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="executive_authorities")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="executive_authorities"
    )
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)
    note = models.CharField(
        max_length=200, blank=True, help_text="e.g. the delegation that grants the authority."
    )

    objects = AuthorityQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "person__full_name"]
        verbose_name_plural = "executive authorities"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation", "starts_on"], name="authority_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="authority_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} for {self.organisation.executive_body} ({self.organisation})"


def _token_from_seed(seed: str) -> str:
    return salted_hmac("boards.PersonInvitation.link", seed, algorithm="sha256").hexdigest()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["PersonInvitation"]):
    def pending(self) -> Self:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True).filter(
            expires_at__gt=timezone.now()
        )


class PersonInvitation(models.Model):
    """An invitation to join the portal: a set-password link that works once and expires.

    Only a hash of the link's secret is stored, and the secret is made from a stored seed with
    the portal's SECRET_KEY, so a copy of the database cannot be used to accept someone else's
    invitation, while the e-mail (a row, sent by a task, perhaps after a broker outage) can
    still put the link together when it is sent.
    """

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="invitations_sent")
    token_hash = models.CharField(max_length=64, unique=True)
    link_seed = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.person}"

    @classmethod
    def issue(
        cls, *, person: User, board: Board, invited_by: User
    ) -> tuple["PersonInvitation", str]:
        """Create an invitation; returns it with the secret token for the link (not stored)."""
        seed = secrets.token_urlsafe(32)
        token = _token_from_seed(seed)
        invitation = cls.objects.create(
            person=person,
            board=board,
            invited_by=invited_by,
            token_hash=_hash_token(token),
            link_seed=seed,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        return invitation, token

    def link_token(self) -> str:
        """The secret of the invitation's link, made again from its seed."""
        return _token_from_seed(self.link_seed)

    @classmethod
    def find_usable(cls, token: str) -> "PersonInvitation | None":
        return (
            cls.objects.pending()
            .select_related("person", "board")
            .filter(token_hash=_hash_token(token), person__is_active=True)
            .first()
        )

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "replaced"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class SignedInSession(models.Model):
    """One signed-in browser session of a person: what "your sessions" lists and can end.

    Written at sign-in and touched at most once a minute while the session is used; removed at
    sign-out. The session itself lives in Django's session store, under the same key.
    """

    session_key = models.CharField(max_length=64, unique=True)
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    signed_in_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["person", "-last_seen_at"])]

    def __str__(self) -> str:
        return f"{self.person} since {self.signed_in_at:%d %b %Y %H:%M}"

    @property
    def device(self) -> str:
        return describe_device(self.user_agent)


_BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome")]
_BROWSERS += [("Chromium/", "Chromium"), ("Safari/", "Safari")]
_SYSTEMS = [("Windows", "Windows"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android")]
_SYSTEMS += [("Mac OS X", "Mac"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]


def describe_device(user_agent: str) -> str:
    """ "Firefox on Windows" from a browser's user agent, or "Unknown device"."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"


API_TOKEN_PREFIX = "blc_"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, now: datetime | None = None) -> Self:
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    """A personal API token: the person's own access to the API, for a script or a body's case
    system. Only its SHA-256 digest is kept; the token itself is shown once, when made. Its
    ``key`` (the part after ``blc_`` and before the second ``_``) finds the row."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for.")
    key = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["person", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.person})"

    @property
    def shown_prefix(self) -> str:
        """What a person recognises the token by: its start, never enough to use it."""
        return f"{API_TOKEN_PREFIX}{self.key}_…"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "Revoked"
        return "Expired" if self.is_expired else "Active"


# The provider's authentication methods (RFC 8176 ``amr`` values) that show more than a password
# was used: several factors, a hardware key, a one-time code or a smart card.
MULTI_FACTOR_METHODS = frozenset({"mfa", "mca", "hwk", "otp", "sc"})


class OrganisationSignOn(models.Model):
    """A body's own identity provider (OpenID Connect), through which its people may sign in.

    Only people the portal already knows are signed in this way: their verified e-mail address,
    in one of the body's domains, must be an active person of this body. Nobody is ever created.
    The client secret is kept sealed (core.sealed) and never shown back.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="sign_on"
    )
    enabled = models.BooleanField(
        default=False, help_text="Offer this sign-in on the sign-in page and accept it."
    )
    provider_name = models.CharField(
        max_length=80,
        help_text="What the button says after “Sign in with”, e.g. “your Warwickshire Police "
        "account”.",
    )
    issuer = models.URLField(
        "issuer",
        max_length=300,
        help_text="The provider's issuer address; its endpoints and keys are read from "
        "ISSUER/.well-known/openid-configuration, e.g. "
        "https://login.microsoftonline.com/TENANT-ID/v2.0 for Microsoft Entra ID.",
    )
    client_id = models.CharField("client ID", max_length=200)
    client_secret_sealed = models.TextField(blank=True, editable=False)
    email_domains = models.CharField(
        "e-mail domains",
        max_length=500,
        help_text="The domains of the body's e-mail addresses, separated by commas, e.g. "
        "warwickshire.police.uk. An address in any other domain is refused.",
    )
    accepts_provider_mfa = models.BooleanField(
        "the provider's multi-factor sign-in counts as the second factor",
        default=False,
        help_text="On: when the provider says its sign-in used more than a password (amr "
        "mfa, hwk, otp, sc or mca), the portal does not ask for its own second factor. Off: "
        "the portal's second factor is asked for after this sign-in where it is required.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "single sign-on"
        verbose_name_plural = "single sign-on"

    def __str__(self) -> str:
        return f"Single sign-on of {self.organisation}"

    @property
    def domains(self) -> list[str]:
        return sorted(
            {d.strip().lower().lstrip("@") for d in self.email_domains.split(",") if d.strip()}
        )

    def allows_address(self, email: str) -> bool:
        return email.rpartition("@")[2].lower() in self.domains

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"

    @property
    def has_client_secret(self) -> bool:
        return bool(self.client_secret_sealed)

    def set_client_secret(self, secret: str) -> None:
        self.client_secret_sealed = seal(secret) if secret else ""

    def client_secret(self) -> str:
        """The client secret in clear, for the token request only (raises CannotUnseal)."""
        return unseal(self.client_secret_sealed) if self.client_secret_sealed else ""
