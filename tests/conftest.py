"""Shared fixtures: the bodies, the board and the whole cast of people, one definition each.

The board ("warwickshire") joins Warwickshire Police and the Fire and Rescue Service; the county
council joins it when a test asks for ``council``. The cast:

- alice, the board's secretariat (Police);
- bob, a board member (Fire) without any other role;
- dave, the board's chair (Police);
- frank, a board member (Fire) invited to no meeting;
- owen, a board member (Police) who owns the opportunity under review;
- erin, the Fire executive: no board role, authority to decide for Fire;
- pat, the Police executive, and cara, the council's executive;
- charlie, of another body, the secretariat of another board ("elsewhere"): no role on this one.

The register's fixtures (opportunities, referrals, reviews) and the meetings' fixtures come from
``tests/opportunities/fixtures.py`` and ``tests/meetings/fixtures.py``.
"""

import functools
import os
from collections import OrderedDict

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from bluelight.celery import app as celery_app
from boards.models import BoardMembership, Organisation

from . import database_template
from .factories import (
    AuthorityFactory,
    BoardFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from .two_factor import pass_second_factor

pytest_plugins = [
    "tests.opportunities.fixtures",
    "tests.meetings.fixtures",
    "tests.signing",
    "tests.clamav",
    "tests.resolver",
]


@pytest.fixture(autouse=True)
def _fast_and_in_process(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "https://portal.example.org"
    # Figures are worked out afresh for each request (tests of the cache switch it on).
    settings.DASHBOARD_CACHE_SECONDS = 0
    # Pages are built for each request too (tests/portal/test_page_cache.py switches the page
    # cache on; TEST_PAGE_CACHE_SECONDS=60 runs the whole suite with it, as in production).
    settings.PAGE_CACHE_SECONDS = int(os.environ.get("TEST_PAGE_CACHE_SECONDS", "0"))
    # Tasks run in-process so their e-mail lands in the outbox; tests that care about commit
    # timing capture on_commit callbacks explicitly.
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


class _Drawn:
    """What WeasyPrint drew for each distinct document, the most recent few hundred."""

    LIMIT = 300

    def __init__(self, draw):
        self.draw = draw
        self.documents: OrderedDict[tuple, bytes] = OrderedDict()

    def __call__(self, key: tuple, *args) -> bytes:
        if key in self.documents:
            self.documents.move_to_end(key)
            return self.documents[key]
        drawn = self.draw(*args)
        self.documents[key] = drawn
        if len(self.documents) > self.LIMIT:
            self.documents.popitem(last=False)
        return drawn


@pytest.fixture(autouse=True, scope="session")
def _each_document_laid_out_once():
    """WeasyPrint draws each distinct document once per test process: the same HTML with the
    same stylesheets and base folder is the same PDF, so a later test (or a later build in the
    same test) asking for an identical document gets the bytes drawn the first time. Anything
    different in the document (a date, a name, a marking, the stylesheet file) is drawn afresh.
    Agenda packs, minutes, notices and the packs' stamps are drawn in many tests' set-up."""
    from core import pdf
    from meetings import pdfs

    lay_out, render_html_pdf = pdf.lay_out, pdfs.render_html_pdf
    laid_out, rendered = _Drawn(lay_out), _Drawn(render_html_pdf)

    def stylesheet() -> tuple:
        path = pdf.stylesheet_path()
        return (path, os.stat(path).st_mtime_ns, str(django_settings.BASE_DIR))

    # functools.wraps: the real drawing stays at ``__wrapped__`` for a test that needs it.
    @functools.wraps(lay_out)
    def lay_out_once(html: str, page_css: str) -> bytes:
        return laid_out((html, page_css, stylesheet()), html, page_css)

    @functools.wraps(render_html_pdf)
    def render_html_pdf_once(html: str) -> bytes:
        return rendered((html,), html)

    pdf.lay_out, pdfs.render_html_pdf = lay_out_once, render_html_pdf_once
    yield
    pdf.lay_out, pdfs.render_html_pdf = lay_out, render_html_pdf


@pytest.fixture(scope="session")
def _test_database_template(
    django_test_environment,
    django_db_modify_db_settings,
    django_db_keepdb,
    django_db_use_migrations,
    django_db_blocker,
    tmp_path_factory,
):
    """Under pytest-xdist, the migrated template this process's test database is copied from
    (tests/database_template.py); None when the database is made as pytest-django always does."""
    if not database_template.in_use(django_db_keepdb, django_db_use_migrations):
        return None
    with django_db_blocker.unblock():
        return database_template.prepare(tmp_path_factory.getbasetemp().parent)


@pytest.fixture(scope="session")
def django_db_setup(_test_database_template, django_db_setup, django_db_blocker, tmp_path_factory):
    """pytest-django's own set-up, from the template when there is one."""
    if _test_database_template is not None:
        with django_db_blocker.unblock():
            database_template.release(
                _test_database_template, tmp_path_factory.getbasetemp().parent
            )


# Each test process (each pytest-xdist worker, `make pytest` runs two) keeps its cache keys
# under a prefix of its own in the shared Redis database, and empties only those.
CACHE_PREFIX = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"


@pytest.fixture(autouse=True, scope="session")
def _a_cache_of_our_own():
    config = {name: {**backend} for name, backend in django_settings.CACHES.items()}
    config["default"]["KEY_PREFIX"] = CACHE_PREFIX
    with override_settings(CACHES=config):
        yield
        _empty_our_cache()


def _empty_our_cache() -> None:
    """``cache.clear()`` would flush the whole Redis database, which the other test processes
    are using at the same moment: this deletes this process's keys only."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        backend.clear()  # an in-process cache (no REDIS_URL): this process's own
        return
    client = backend._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{CACHE_PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _empty_cache(_a_cache_of_our_own):
    """Rate-limit counters and cached figures never leak from one test into the next."""
    _empty_our_cache()


@pytest.fixture(autouse=True)
def _register_versions_move_at_each_statement(request):
    """The register's data version moves as a transaction commits (opportunities.versions);
    a test's transaction is rolled back, never committed, so in it the triggers are set to fire
    at each statement instead, and what a test writes moves the version as a commit would."""
    if request.node.get_closest_marker("django_db") is None and not (
        {"db", "transactional_db"} & set(request.fixturenames)
    ):
        yield
        return
    request.getfixturevalue("db")
    from django.db import connection

    from core import data_versions
    from opportunities.versions import VERSION_TRIGGER

    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            # The pages' version too (core/data_versions.py), at every write, not once.
            cursor.execute(f"SET CONSTRAINTS {VERSION_TRIGGER}, {data_versions.TRIGGER} IMMEDIATE")
            cursor.execute("SELECT set_config('bluelight.versions_each_write', 'yes', true)")
    yield


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded papers, packs and reports never land in the work tree."""
    settings.MEDIA_ROOT = tmp_path / "media"


# --- bodies and boards --------------------------------------------------------------------------


@pytest.fixture
def police(db):
    return OrganisationFactory(
        name="Warwickshire Police",
        short_name="Police",
        kind=Organisation.Kind.POLICE,
        executive_body="Chief Constable",
    )


@pytest.fixture
def fire(db):
    return OrganisationFactory(
        name="Warwickshire Fire and Rescue Service",
        short_name="WFRS",
        kind=Organisation.Kind.FIRE_AND_RESCUE,
        executive_body="Fire and Rescue Authority",
    )


@pytest.fixture
def outsider_org(db):
    return OrganisationFactory(
        name="Elsewhere Fire Service", short_name="EFS", kind=Organisation.Kind.FIRE_AND_RESCUE
    )


@pytest.fixture
def board(police, fire):
    return BoardFactory(
        name="Warwickshire Blue Light Collaboration Joint Advisory Board",
        slug="warwickshire",
        organisations=[police, fire],
    )


@pytest.fixture
def council(board):
    """Warwickshire County Council, a third body on the board."""
    body = OrganisationFactory(
        name="Warwickshire County Council",
        short_name="WCC",
        kind=Organisation.Kind.COUNTY_COUNCIL,
        executive_body="Cabinet",
    )
    board.organisations.add(body)
    return body


# --- the board's people -------------------------------------------------------------------------


@pytest.fixture
def alice(board, police):
    """The board's secretariat."""
    person = UserFactory(
        full_name="Alice Archer", email="alice@police.example", organisation=police
    )
    MembershipFactory(person=person, board=board, role=BoardMembership.Role.SECRETARIAT)
    return person


@pytest.fixture
def bob(board, fire):
    """A board member without any other role."""
    person = UserFactory(full_name="Bob Baker", email="bob@fire.example", organisation=fire)
    MembershipFactory(person=person, board=board, role=BoardMembership.Role.MEMBER)
    return person


@pytest.fixture
def dave(board, police):
    """The board's chair, representing the Police."""
    person = UserFactory(full_name="Dave Dunn", email="dave@police.example", organisation=police)
    MembershipFactory(person=person, board=board, role=BoardMembership.Role.CHAIR)
    return person


@pytest.fixture
def frank(board, fire):
    """A board member (Fire) invited to no meeting: sees a meeting's agenda, not its papers or
    its exempt business."""
    person = UserFactory(full_name="Frank Ford", organisation=fire)
    MembershipFactory(person=person, board=board, role=BoardMembership.Role.MEMBER)
    return person


@pytest.fixture
def owen(board, police):
    """A board member (Police) who owns the opportunity under review."""
    person = UserFactory(full_name="Owen Oakes", email="owen@police.example", organisation=police)
    MembershipFactory(person=person, board=board, role=BoardMembership.Role.MEMBER)
    return person


# --- the bodies' executives ---------------------------------------------------------------------


@pytest.fixture
def erin(fire):
    """The Fire and Rescue Service's executive: no board role, authority to decide for Fire."""
    person = UserFactory(full_name="Erin Evans", email="erin@fire.example", organisation=fire)
    AuthorityFactory(person=person, organisation=fire)
    return person


@pytest.fixture
def pat(police):
    """The Police executive: no board role, authority to decide for the Police."""
    person = UserFactory(full_name="Pat Price", email="pat@police.example", organisation=police)
    AuthorityFactory(person=person, organisation=police)
    return person


@pytest.fixture
def cara(council):
    """The council's executive: no board role, authority to decide for the council."""
    person = UserFactory(full_name="Cara Cole", email="cara@council.example", organisation=council)
    AuthorityFactory(person=person, organisation=council)
    return person


# --- outside the board --------------------------------------------------------------------------


@pytest.fixture
def charlie(outsider_org):
    """A person of another body who holds no role on the board."""
    other_board = BoardFactory(
        name="Elsewhere Board", slug="elsewhere", organisations=[outsider_org]
    )
    person = UserFactory(
        full_name="Charlie Clark", email="charlie@elsewhere.example", organisation=outsider_org
    )
    MembershipFactory(person=person, board=other_board, role=BoardMembership.Role.SECRETARIAT)
    return person


@pytest.fixture
def client_of(client):
    """``client_of(person)``: the test client signed in as that person, with their second
    factor passed just now (tests of the second factor itself sign in without it)."""

    def sign_in(person):
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
        pass_second_factor(client, person)
        return client

    return sign_in
