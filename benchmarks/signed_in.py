"""Signed-in sessions for a benchmark's HTTP clients, made directly in the database.

Each session is what a real sign-in leaves behind: the person's id, backend and password hash,
the sign-in and last-seen times the session limits check (boards/sessions.py), a row on the
person's sessions page and, for a person who must use a second factor or has one
(boards/two_factor.py), the authenticator app the session passed, just now. So every page is
served as to a person who has signed in fully, through every middleware, never a redirect to
the second-factor page.

    python benchmarks/signed_in.py EMAIL...   # prints one session key a line (run with the
                                              # benchmark's environment, see environment.py)
"""

import subprocess
import sys

from environment import BENCHMARKS, PYTHON, ROOT, env_for


def session_cookies(database: str, *emails: str) -> dict[str, str]:
    """A new session key for each of ``emails``, in ``database``."""
    out = subprocess.run(
        [PYTHON, str(BENCHMARKS / "signed_in.py"), *emails],
        cwd=ROOT,
        env=env_for(database),
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(zip(emails, out.stdout.split(), strict=True))


def _sign_in(email: str) -> str:
    import time

    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from boards import sessions, two_factor
    from boards.models import SignedInSession, User

    person = User.objects.get(email=email)
    session = SessionStore()
    session["_auth_user_id"] = str(person.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = person.get_session_auth_hash()
    now = time.time()
    session[sessions.SIGNED_IN_AT] = now
    session[sessions.LAST_SEEN_AT] = now
    if two_factor.is_required_for(person) or two_factor.has_second_factor(person):
        device = TOTPDevice.objects.filter(user=person, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=person, name="Benchmark", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[two_factor.VERIFIED_AT] = int(now)
    session.create()
    moment = timezone.now()
    SignedInSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "person": person,
            "user_agent": "Benchmark client",
            "ip_address": "127.0.0.1",
            "signed_in_at": moment,
            "last_seen_at": moment,
        },
    )
    return str(session.session_key)


if __name__ == "__main__":
    import django

    django.setup()
    for email in sys.argv[1:]:
        print(_sign_in(email))
