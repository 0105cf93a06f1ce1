"""Control characters are answered with a 400 on every URL; bodies over the limit are refused
before they are read; tokens never reach the logs."""

import io
import logging
import re

import pytest
from django.test.client import ClientHandler
from django.urls import reverse

from core.log_redaction import RedactTokensFilter, redact_path
from core.request_safety import RequestBodyTooLarge, UploadSizeLimitHandler
from tests.portal.test_url_access import _concrete, _walk

pytestmark = pytest.mark.django_db


def every_route() -> list[str]:
    from django.urls import get_resolver

    return [route for route, _ in _walk(get_resolver().url_patterns)]


def with_nul_in_the_path(route: str) -> str:
    """The route's address with a NUL in a text segment, or at its end when it has none."""
    sample = _concrete(re.sub(r"<(?:(?:str|slug|path):)?(\w+)>", "NULHERE", route))
    if "NULHERE" in sample:
        return sample.replace("NULHERE", "a%00b", 1).replace("NULHERE", "x")
    return sample + "%00"


def test_the_walk_covers_the_token_and_admin_routes():
    routes = every_route()
    assert len(routes) > 100
    assert "calendar/<str:token>.ics" in routes
    assert any(route.startswith("admin/") for route in routes)


def test_control_characters_on_every_url_are_answered_with_a_400(client, alice):
    """Every URL pattern: a NUL in the path, signed out and signed in; signed in, a NUL in the
    query and in a form value."""
    routes = every_route()
    refused_late = [
        f"anonymous GET {with_nul_in_the_path(route)}"
        for route in routes
        if client.get(with_nul_in_the_path(route)).status_code != 400
    ]
    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    for route in routes:
        url, plain = with_nul_in_the_path(route), _concrete(route)
        attempts = {
            f"GET {url}": lambda: client.get(url),
            f"GET {plain}?q=%00": lambda: client.get(plain + "?q=%00"),
            f"POST {plain} with a NUL": lambda: client.post(plain, {"title": "Budget\x00"}),
        }
        refused_late += [name for name, send in attempts.items() if send().status_code != 400]
    assert refused_late == []


def test_other_control_characters_in_a_query_or_a_field_name_are_a_400(client_of, alice):
    client = client_of(alice)
    assert client.get(reverse("home") + "?q=a%1bb").status_code == 400
    assert client.get(reverse("home") + "?q=a%7fb").status_code == 400
    assert client.post(reverse("home"), {"bad\x07name": "x"}).status_code == 400
    assert client.get("/boards/a%0Ab/").status_code == 400


def test_the_calendar_feed_with_a_nul_is_a_human_400(client):
    response = client.get("/calendar/%00.ics")
    assert response.status_code == 400
    assert "a character that cannot be typed" in response.content.decode()


def test_the_message_log_search_with_a_nul_is_a_400(client_of, alice, board):
    url = reverse("message_log", kwargs={"slug": board.slug})
    assert client_of(alice).get(url, {"q": "ref\x00"}).status_code == 400
    assert client_of(alice).get(url, {"q": "referral"}).status_code == 200


def test_line_breaks_and_tabs_in_a_form_are_accepted(client_of, alice, board):
    url = reverse("message_log", kwargs={"slug": board.slug})
    assert client_of(alice).get(url, {"q": "two\r\nlines\tand a tab"}).status_code == 200


# --- bodies over the limit ---------------------------------------------------------------------


class EndlessUpload(io.RawIOBase):
    """A multipart body of ``size`` bytes, made up as it is read, counting what is read."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.read_so_far = 0
        self.head = (
            b'--B\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
        )

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.read_so_far
        n = left if n is None or n < 0 else min(n, left)
        start = self.read_so_far
        self.read_so_far += n
        data = (self.head[start : start + n] if start < len(self.head) else b"").ljust(n, b"0")
        return data


def post_endless(path: str, size: int, cookie: str = "") -> tuple[int, EndlessUpload]:
    body = EndlessUpload(size)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "multipart/form-data; boundary=B",
        "CONTENT_LENGTH": str(size),
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_COOKIE": cookie,
        "wsgi.input": body,
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    # The test client's handler: the whole middleware stack, without closing the test's
    # database connection at the end of the request.
    response = ClientHandler()(environ)
    return response.status_code, body


def test_a_200_mb_upload_is_refused_having_read_no_more_than_the_limit(
    client_of, alice, published, settings
):
    client = client_of(alice)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    path = reverse("paper_upload", kwargs={"pk": published.pk})
    status, body = post_endless(path, 200 * 1024 * 1024, cookie)
    assert status == 413
    assert body.read_so_far <= settings.MAX_REQUEST_BODY_SIZE


def test_a_200_mb_upload_from_a_signed_out_visitor_is_refused_unread(published, settings):
    path = reverse("paper_upload", kwargs={"pk": published.pk})
    status, body = post_endless(path, 200 * 1024 * 1024)
    assert status == 413
    assert body.read_so_far <= settings.MAX_REQUEST_BODY_SIZE


def test_the_upload_handler_stops_when_the_bytes_pass_the_limit(settings):
    settings.MAX_REQUEST_BODY_SIZE = 100
    handler = UploadSizeLimitHandler()
    assert handler.receive_data_chunk(b"x" * 60, 0) == b"x" * 60
    with pytest.raises(RequestBodyTooLarge):
        handler.receive_data_chunk(b"x" * 60, 60)


def test_a_file_under_the_limit_still_reaches_the_form(client_of, alice, published):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import pdf_bytes

    response = client_of(alice).post(
        reverse("paper_upload", kwargs={"pk": published.pk}),
        {"title": "Budget", "file": SimpleUploadedFile("b.pdf", pdf_bytes())},
        follow=True,
    )
    assert "is uploaded (version 1)" in response.content.decode()


# --- tokens never logged -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/password/reset/MQ/cz1abc-0123456789abcdef/", "/password/reset/MQ/[redacted]/"),
        ("/password/reset/MQ/set-password/", "/password/reset/MQ/set-password/"),
        ("/invitation/s3cr3t-token/", "/invitation/[redacted]/"),
        ("/calendar/Abc123_-xyz.ics", "/calendar/[redacted].ics"),
        ("/calendar/reset/", "/calendar/reset/"),
        (
            "/notifications/digest/unsubscribe/eyJ0:abc/",
            "/notifications/digest/unsubscribe/[redacted]/",
        ),
        (
            '"GET /invitation/tok/?next=/ HTTP/1.1" 200',
            '"GET /invitation/[redacted]/?next=/ HTTP/1.1" 200',
        ),
        (
            '"GET /sign-in/organisation/callback/?state=s1&code=c0de HTTP/1.1" 302',
            '"GET /sign-in/organisation/callback/?state=s1&code=[redacted] HTTP/1.1" 302',
        ),
    ],
)
def test_tokens_are_stripped_from_logged_paths(path, logged):
    assert redact_path(path) == logged


def test_django_request_log_records_carry_no_token(client, caplog):
    caplog.handler.addFilter(RedactTokensFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/calendar/no-such-secret-token.ics")
    assert "no-such-secret-token" not in caplog.text
    assert "/calendar/[redacted].ics" in caplog.text


def test_gunicorn_access_log_carries_no_token():
    from types import SimpleNamespace

    from gunicorn.config import Config

    from core.log_redaction import RedactingGunicornLogger

    logger = RedactingGunicornLogger(Config())
    request = SimpleNamespace(
        method="GET",
        uri="/invitation/s3cr3t/",
        path="/invitation/s3cr3t/",
        query="",
        version=(1, 1),
        headers=[("REFERER", "https://p.example/password/reset/MQ/tok-en/")],
    )
    response = SimpleNamespace(status="200 OK", sent=10, response_length=10, headers=[])
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/invitation/s3cr3t/",
        "PATH_INFO": "/invitation/s3cr3t/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://p.example/password/reset/MQ/tok-en/",
    }
    atoms = logger.atoms(response, request, environ, __import__("datetime").timedelta(seconds=1))
    assert "s3cr3t" not in " ".join(str(v) for v in atoms.values())
    assert "tok-en" not in " ".join(str(v) for v in atoms.values())


def test_every_portal_log_handler_redacts_tokens():
    from django.conf import settings

    config = settings.LOGGING
    for name in ("django", "django.server"):
        handlers = config["loggers"][name]["handlers"]
        assert all("redact_tokens" in config["handlers"][h]["filters"] for h in handlers)
    assert "redact_tokens" in config["handlers"]["console"]["filters"]
