"""Single sign-on through a body's own identity provider (OpenID Connect).

mozilla-django-oidc is made for one provider named in the settings; the portal has one per
organisation (``OrganisationSignOn``), chosen when the sign-in starts and kept with the state in
the session. For each provider:

- its endpoints come from its discovery document (ISSUER/.well-known/openid-configuration),
  whose ``issuer`` must be the one registered; the document and the provider's signing keys
  (JWKS) are cached, the keys fetched again once when a token names a key not yet seen;
- the sign-in uses the authorisation code flow with PKCE, a state and a nonce, each used once;
- the id_token's signature (RS/PS/ES algorithms only: never "none" or a shared secret), issuer,
  audience, expiry and nonce are checked;
- the e-mail address must be verified by the provider (``email_verified``, or without it
  Microsoft Entra ID's ``xms_edov``: the address's domain is verified), in one of the body's
  domains, and the address of an active person of that body the portal already has:
  nobody is ever created (people join by invitation only);
- the provider's ``amr`` (RFC 8176) counts as the portal's second factor only when the body
  says so and it shows more than a password (``MULTI_FACTOR_METHODS``).

The discovery document and the signing keys are fetched through ``core.outbound``, as any
address typed into the portal is: never from an address inside the portal's own network. The
token and userinfo requests are mozilla-django-oidc's own (with requests), to the endpoints the
discovery document names.

mozilla-django-oidc, PyJWT and requests are imported only when a provider is asked something
or a sign-on is checked: the backend is in AUTHENTICATION_BACKENDS, so every password sign-in
loads this module, and the web workers need none of them to serve pages.
"""

import hashlib
import hmac
import json
import logging
from functools import cache as once
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from core.sealed import CannotUnseal
from core.usernames import normalise_username

from .models import MULTI_FACTOR_METHODS, OrganisationSignOn, User

logger = logging.getLogger("bluelight.security")

BACKEND = "boards.sign_on.OrganisationSignOnBackend"
# Asymmetric signatures only: a token signed with the client secret (HS256) or not at all
# ("none") is refused.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
CLOCK_LEEWAY_SECONDS = 60
DISCOVERY_CACHE_SECONDS = 60 * 60


class ProviderUnavailable(Exception):
    """The provider did not answer, or answered with something that is not OpenID Connect."""


class SignOnRefused(Exception):
    """The provider signed someone in, but the portal does not accept them (``reason`` says
    why; ``email`` is the address the provider gave, if any)."""

    def __init__(self, reason: str, email: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.email = email


def _get_json(url: str) -> dict[str, Any]:
    """The JSON object at ``url`` (the discovery document, the signing keys), fetched as the
    portal fetches any address typed into it (``core.outbound``): only from an address on the
    public internet, each redirect checked in turn."""
    import urllib3

    from core.outbound import AddressNotPublic, public_pool_manager

    pool = public_pool_manager(
        timeout=urllib3.Timeout(settings.OIDC_TIMEOUT),
        retries=urllib3.Retry(total=None, connect=0, read=0, status=0, other=0, redirect=3),
        headers={"Accept": "application/json"},
    )
    try:
        response = pool.request("GET", url)
    except AddressNotPublic as error:
        raise ProviderUnavailable(f"{url}: an address inside a private network") from error
    except (urllib3.exceptions.HTTPError, ValueError) as error:
        raise ProviderUnavailable(f"{url}: {type(error).__name__}") from error
    if not 200 <= response.status < 300:
        raise ProviderUnavailable(f"{url}: HTTP {response.status}")
    try:
        document = json.loads(response.data)
    except ValueError as error:
        raise ProviderUnavailable(f"{url}: {type(error).__name__}") from error
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"{url}: not a JSON object")
    return document


def _cache_key(kind: str, url: str) -> str:
    return f"sign-on:{kind}:{hashlib.sha256(url.encode()).hexdigest()}"


def provider_configuration(sign_on: OrganisationSignOn) -> dict[str, Any]:
    """The provider's discovery document (cached), checked to belong to the registered issuer."""
    key = _cache_key("discovery", sign_on.discovery_url)
    document = cache.get(key)
    if document is None:
        document = _get_json(sign_on.discovery_url)
        if str(document.get("issuer", "")).rstrip("/") != sign_on.issuer.rstrip("/"):
            raise ProviderUnavailable("the discovery document names another issuer")
        for needed in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not str(document.get(needed, "")).startswith(("https://", "http://")):
                raise ProviderUnavailable(f"the discovery document has no {needed}")
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def _signing_keys(jwks_uri: str, *, fresh: bool) -> list[dict[str, Any]]:
    key = _cache_key("jwks", jwks_uri)
    keys = None if fresh else cache.get(key)
    if keys is None:
        keys = [k for k in _get_json(jwks_uri).get("keys", []) if isinstance(k, dict)]
        cache.set(key, keys, DISCOVERY_CACHE_SECONDS)
    return keys


def shows_multi_factor(claims: dict[str, Any]) -> bool:
    """The id_token's ``amr`` says the provider used more than a password (its methods are
    words: anything else in it counts for nothing)."""
    methods = claims.get("amr")
    if isinstance(methods, str):
        methods = [methods]
    if not isinstance(methods, list):
        return False
    return bool(MULTI_FACTOR_METHODS.intersection(m for m in methods if isinstance(m, str)))


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


class OrganisationSignOnBackend(ModelBackend):
    """The portal's backend for a body's single sign-on (``BACKEND``).

    Called by the callback view with the organisation's ``sign_on``; a password sign-in never
    reaches it (its ``authenticate`` takes no username or password). It returns the person or
    raises SignOnRefused / ProviderUnavailable; the claims it accepted are kept on
    ``self.claims``. Sessions it signed in are looked up like the password's (ModelBackend's
    ``get_user``): a person switched off is signed out at their next request.

    The checking itself is mozilla-django-oidc's backend, made for the organisation
    (``_oidc_backend``) only when a sign-on is checked: a password sign-in, which asks every
    backend, and the requests of a person signed in this way do not load it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.claims: dict[str, Any] = {}
        self._checker: Any = None

    def _checking(self) -> Any:
        if self._checker is None:
            self._checker = _oidc_backend()()
        return self._checker

    def configure(self, sign_on: OrganisationSignOn) -> None:
        self._checking().configure(sign_on)

    def verify_token(self, token: Any, **kwargs: Any) -> dict[str, Any]:
        """The id_token's claims, once its signature, issuer, audience, times and nonce hold."""
        return self._checking().verify_token(token, **kwargs)

    # Django asks a backend only when its arguments fit this signature: never for a password.
    def authenticate(  # type: ignore[override]
        self,
        request: Any,
        sign_on: OrganisationSignOn | None = None,  # type: ignore[override]
        nonce: str | None = None,
        code_verifier: str | None = None,
    ) -> User | None:
        if sign_on is None or request is None:
            return None
        checker = self._checking()
        try:
            return checker.authenticate(
                request, sign_on=sign_on, nonce=nonce, code_verifier=code_verifier
            )
        finally:
            self.claims = checker.claims


@once
def _oidc_backend() -> type:
    """mozilla-django-oidc's backend, configured per organisation instead of from settings."""
    import jwt
    import requests
    from mozilla_django_oidc.auth import OIDCAuthenticationBackend  # type: ignore[import-untyped]

    class OrganisationOidcBackend(OIDCAuthenticationBackend):
        get_user = ModelBackend.get_user  # (mozilla's own skips the is_active check)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.UserModel = User
            self.claims: dict[str, Any] = {}

        def configure(self, sign_on: OrganisationSignOn) -> None:
            config = provider_configuration(sign_on)
            self.sign_on = sign_on
            self.issuer = str(config["issuer"])
            self.OIDC_OP_TOKEN_ENDPOINT = config["token_endpoint"]
            self.OIDC_OP_USER_ENDPOINT = config.get("userinfo_endpoint")
            self.OIDC_OP_JWKS_ENDPOINT = config["jwks_uri"]
            self.OIDC_RP_CLIENT_ID = sign_on.client_id
            try:
                self.OIDC_RP_CLIENT_SECRET = sign_on.client_secret()
            except CannotUnseal as error:
                raise ProviderUnavailable(
                    "the client secret was sealed with an unknown key"
                ) from error
            self.OIDC_RP_IDP_SIGN_KEY = None

        def authenticate(
            self,
            request: Any,
            sign_on: OrganisationSignOn | None = None,
            nonce: str | None = None,
            code_verifier: str | None = None,
        ) -> User | None:
            if sign_on is None or request is None:
                return None
            self.configure(sign_on)
            try:
                return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)
            except requests.HTTPError as error:
                status = error.response.status_code if error.response is not None else 0
                if 400 <= status < 500:  # the provider refused the code (used, expired, not ours)
                    raise SignOnRefused("unchecked") from error
                raise ProviderUnavailable(f"token or userinfo request: {status}") from error
            except requests.RequestException as error:
                raise ProviderUnavailable(
                    f"token or userinfo request: {type(error).__name__}"
                ) from error

        def retrieve_matching_jwk(self, token: str) -> jwt.PyJWK:
            header = jwt.get_unverified_header(token)
            algorithm = header.get("alg")
            if algorithm not in ALGORITHMS:
                raise SignOnRefused("unchecked")
            for fresh in (
                False,
                True,
            ):  # a key not seen yet: the provider may have rotated its keys
                for jwk in _signing_keys(self.OIDC_OP_JWKS_ENDPOINT, fresh=fresh):
                    if header.get("kid") and jwk.get("kid") != header["kid"]:
                        continue
                    if jwk.get("use", "sig") != "sig" or jwk.get("alg", algorithm) != algorithm:
                        continue
                    return jwt.PyJWK(jwk, algorithm=algorithm)
            raise SignOnRefused("unchecked")

        def verify_token(self, token: Any, **kwargs: Any) -> dict[str, Any]:
            """The id_token's claims, once its signature, issuer, audience, times and nonce hold."""
            if not isinstance(token, str) or not token:
                raise SignOnRefused("unchecked")
            try:
                key = self.retrieve_matching_jwk(token)
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=ALGORITHMS,
                    audience=self.OIDC_RP_CLIENT_ID,
                    issuer=self.issuer,
                    leeway=CLOCK_LEEWAY_SECONDS,
                    options={"require": ["iss", "aud", "exp", "iat", "sub"]},
                )
            except jwt.PyJWTError as error:
                logger.warning("Single sign-on id_token refused: %s", type(error).__name__)
                raise SignOnRefused("unchecked") from error
            audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
            if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
                raise SignOnRefused("unchecked")
            expected = kwargs.get("nonce") or ""
            if not expected or not hmac.compare_digest(str(claims.get("nonce", "")), expected):
                raise SignOnRefused("unchecked")
            return claims

        def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> User:
            """The person the provider's claims name: never created, refused unless known."""
            claims = dict(payload)
            says_verified = "email_verified" in claims or "xms_edov" in claims
            if ("email" not in claims or not says_verified) and self.OIDC_OP_USER_ENDPOINT:
                userinfo = self.get_userinfo(access_token, id_token, payload)
                if userinfo.get("sub") != payload.get("sub"):
                    raise SignOnRefused("unchecked")
                claims = {**userinfo, **payload}
                claims.update(
                    {k: userinfo[k] for k in ("email", "email_verified") if k in userinfo}
                )
            self.claims = claims
            email = normalise_username(str(claims.get("email") or ""))
            if not email:
                raise SignOnRefused("no_email")
            verified = claims.get("email_verified")
            if verified is None:
                # Microsoft Entra ID never sends email_verified for work accounts; its optional
                # claim xms_edov says the address's domain is one the tenant has verified.
                verified = payload.get("xms_edov")
            if not _is_true(verified):
                raise SignOnRefused("unverified_email", email)
            if not self.sign_on.allows_address(email):
                raise SignOnRefused("other_domain", email)
            person = User.objects.filter(email__iexact=email).select_related("organisation").first()
            if person is None or person.organisation_id != self.sign_on.organisation_id:
                raise SignOnRefused("unknown_person", email)
            if not person.is_active:
                raise SignOnRefused("inactive", email)
            return person

        def create_user(self, claims: dict) -> User:  # pragma: no cover - never called
            raise SignOnRefused("unknown_person", str(claims.get("email") or ""))

    return OrganisationOidcBackend
