"""`make run`'s embedded default: SQLite, tasks in-process. The demo data loads and the main pages
answer (a person's calendar feed too), search falling back to its simple match, in a separate
process on a fresh database."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PAGES = """
from django.test import Client
from boards.models import User
from opportunities.models import Opportunity

client = Client(HTTP_HOST="127.0.0.1")
from tests.two_factor import pass_second_factor
priya = User.objects.get(email="priya.shah@warwickshire-cc.example")
client.force_login(priya)
pass_second_factor(client, priya)
taskforce = Opportunity.objects.get(title="Joint arson reduction taskforce")
for path in [
    "/", "/register/", taskforce.get_absolute_url(), "/search/?q=arson",
    "/search/?q=arson&page=9",
    "/boards/warwickshire-blue-light/dashboard/", "/boards/warwickshire-blue-light/reviews/",
    "/boards/warwickshire-blue-light/decisions/", "/boards/warwickshire-blue-light/meetings/",
    "/notifications/", "/notifications/preferences/", "/register/export.xlsx",
]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
found = client.get("/search/?q=arson").content.decode()
assert "Joint <mark>arson</mark> reduction taskforce" in found, found
from meetings.services import calendar_feed_of
from django.urls import reverse
feed = client.get(reverse("calendar_feed", args=[calendar_feed_of(person=priya).token]))
assert feed.status_code == 200, feed.status_code
assert b"BEGIN:VCALENDAR" in feed.content
client.logout()
for path in ["/public/warwickshire-blue-light/", "/public/warwickshire-blue-light/collaborations/"]:
    assert client.get(path).status_code == 200, path
print("pages answered")
"""


def test_the_demo_loads_and_the_pages_answer_on_sqlite(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "BLUELIGHT_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "bluelight.settings",
    }

    def manage(*args, stdin=None):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=240,
        )

    for step in (["migrate", "--noinput"], ["seed_demo"]):
        done = manage(*step)
        assert done.returncode == 0, done.stderr[-3000:]
    done = manage("shell", stdin=PAGES)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "pages answered" in done.stdout
