"""Requests refused before any view sees them: control characters in what a person typed, and
bodies larger than the portal ever accepts.

A NUL byte in a path or a form reaches PostgreSQL as text it cannot store (a 500); other control
characters have no business in an address or a form either. Tabs, line breaks and carriage
returns are allowed in query and form values (a textarea sends them), never in the path.
"""

import re

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string

# Every C0 and C1 control character and DEL.
_IN_PATH = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The same, less tab, line feed and carriage return.
_IN_VALUE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

CONTROL_CHARACTER_MESSAGE = (
    "The address or the form contained a character that cannot be typed (such as a NUL byte). "
    "Check what you entered, or the link you followed, and try again."
)


class ControlCharacterRefused(BadRequest):
    """A 400 whose message is a sentence for the person."""


class RequestBodyTooLarge(Exception):
    """The body is larger than MAX_REQUEST_BODY_SIZE: refused before the rest of it is read."""


def _has_control_characters(request: HttpRequest) -> bool:
    if _IN_PATH.search(request.path_info):
        return True
    for data in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
        for key, values in data.lists():
            if _IN_VALUE.search(key) or any(_IN_VALUE.search(value) for value in values):
                return True
    return False


class RequestSafetyMiddleware:
    """Answers a control character anywhere in the path, query or form with a 400, and a body
    over MAX_REQUEST_BODY_SIZE with a 413, before the view (or the database) sees either."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            refused = _has_control_characters(request)
        except RequestBodyTooLarge:
            return too_large_response(request)
        if refused:
            raise ControlCharacterRefused(CONTROL_CHARACTER_MESSAGE)
        return self.get_response(request)


def too_large_response(request: HttpRequest) -> HttpResponse:
    limit = filesizeformat(settings.MAX_UPLOAD_SIZE)
    detail = (
        f"What you sent is larger than the portal accepts. The largest paper is {limit}: "
        "reduce the file's size (for example, save a PDF with smaller images) and try again."
    )
    body = render_to_string(
        "error.html",
        {"status": 413, "title": "The file is too large", "detail": detail},
        request=request,
    )
    response = HttpResponse(body, status=413)
    # The rest of the body was never read: the connection cannot carry another request.
    response["Connection"] = "close"
    return response


class UploadSizeLimitHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: refuses a multipart body whose declared length is over
    MAX_REQUEST_BODY_SIZE before reading any of it, and stops reading files as soon as their
    bytes pass it (whatever the headers claimed)."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.MAX_REQUEST_BODY_SIZE:
            raise RequestBodyTooLarge
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.MAX_REQUEST_BODY_SIZE:
            raise RequestBodyTooLarge
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
