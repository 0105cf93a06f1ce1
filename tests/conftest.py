"""Shared fixtures: a board of two bodies and the people who matter for each view.

alice is the board's secretariat (Police), bob a member (Fire), erin the Fire executive, and
charlie holds no role on the board at all (another body, another board).
"""

import pytest

from bluelight.celery import app as celery_app
from boards.models import BoardMembership, Organisation

from .factories import (
    AuthorityFactory,
    BoardFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

# Fixtures of the register (opportunities, referrals, executives of each body).
pytest_plugins = ["tests.opportunities.fixtures"]


@pytest.fixture(autouse=True)
def _fast_and_in_process(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"  # uploaded papers never land in the work tree
    settings.SITE_URL = "https://portal.example.org"
    # Figures are worked out afresh for each request (tests of the cache switch it on).
    settings.DASHBOARD_CACHE_SECONDS = 0
    # Tasks run in-process so their e-mail lands in the outbox; tests that care about commit
    # timing capture on_commit callbacks explicitly.
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


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
def erin(fire):
    """The Fire and Rescue Service's executive: no board role, authority to decide for Fire."""
    person = UserFactory(full_name="Erin Evans", email="erin@fire.example", organisation=fire)
    AuthorityFactory(person=person, organisation=fire)
    return person


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
    """``client_of(person)``: the test client signed in as that person."""

    def sign_in(person):
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return sign_in
