"""Deletes the record refuses, for the tests of core/deletion.py's guards."""

from contextlib import contextmanager

import pytest
from django.db import transaction

from core.deletion import DeletionRefused


@contextmanager
def refused(match=None):
    """The delete is refused (in a savepoint, so the test's transaction goes on)."""
    with pytest.raises(DeletionRefused, match=match), transaction.atomic():
        yield
