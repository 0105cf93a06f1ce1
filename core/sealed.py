"""Secrets the portal must keep in its database and use again (an identity provider's client
secret): encrypted with a key made from SECRET_KEY, so a copy of the database alone does not
give them away. A secret sealed under a key now in SECRET_KEY_FALLBACKS still opens, so the
secret key can be rotated; a secret sealed under a key no longer known does not open at all."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PURPOSE = b"bluelight.core.sealed"


class CannotUnseal(Exception):
    """The sealed text was made with a key the portal no longer has, or was altered."""


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(PURPOSE + b":" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def seal(text: str) -> str:
    """The text encrypted (and authenticated) under the current secret key."""
    return _keys().encrypt(text.encode()).decode()


def unseal(sealed: str) -> str:
    """The text back from ``seal``; raises CannotUnseal if no known key opens it."""
    try:
        return _keys().decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError) as error:
        raise CannotUnseal from error
