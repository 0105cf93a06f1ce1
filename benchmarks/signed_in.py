"""A signed-in session for a benchmark's HTTP clients, made directly in the database."""

import subprocess
import sys
from pathlib import Path


def session_cookie(email: str, *, root: Path, env: dict) -> str:
    """The session key of a new session signed in as ``email`` (the portal at ``root``, with
    the benchmark's environment ``env``)."""
    code = (
        "import django; django.setup();"
        "from django.contrib.sessions.backends.db import SessionStore;"
        "from boards.models import User;"
        f"u = User.objects.get(email='{email}');"
        "s = SessionStore(); s['_auth_user_id'] = str(u.pk);"
        "s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend';"
        "s['_auth_user_hash'] = u.get_session_auth_hash(); s.create(); print(s.session_key)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]
