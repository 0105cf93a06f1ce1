"""Batch sizes that keep bulk_create and bulk_update under PostgreSQL's 65 535 bind parameters."""

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from core.batching import PARAMETER_BUDGET, PARAMETER_LIMIT, batch_size_for
from meetings.models import AgendaItem, MeetingInvitation
from notifications.models import Notification
from opportunities.models import Opportunity


def _columns(model) -> int:
    return len(model._meta.concrete_fields)


def test_the_budget_leaves_a_margin_under_postgresqls_limit():
    assert PARAMETER_BUDGET < PARAMETER_LIMIT == 2**16 - 1


def test_an_insert_batch_is_the_budget_shared_among_every_column_of_a_row():
    assert batch_size_for(Opportunity) == PARAMETER_BUDGET // _columns(Opportunity)
    assert batch_size_for(Notification) == PARAMETER_BUDGET // _columns(Notification)


@pytest.mark.parametrize("model", apps.get_models(), ids=lambda m: m._meta.label)
def test_no_insert_batch_of_any_model_reaches_the_limit(model):
    size = batch_size_for(model)
    assert size >= 1
    assert size * _columns(model) <= PARAMETER_BUDGET


def test_an_update_row_costs_the_key_and_the_value_per_field_and_the_key_once_more():
    # CASE WHEN pk = %s THEN %s ... per field, and pk IN (%s, ...) once.
    assert batch_size_for(AgendaItem, ["position"]) == PARAMETER_BUDGET // 3
    fields = ["attendance", "reply", "counts_for_quorum"]
    assert batch_size_for(MeetingInvitation, fields) == PARAMETER_BUDGET // 7


def test_an_update_batch_never_reaches_the_limit_however_many_fields():
    fields = [f.name for f in Opportunity._meta.concrete_fields if not f.primary_key]
    size = batch_size_for(Opportunity, fields)
    assert size * (2 * len(fields) + 1) <= PARAMETER_BUDGET


def test_update_fields_are_checked_by_name():
    with pytest.raises(FieldDoesNotExist):
        batch_size_for(AgendaItem, ["positon"])
    with pytest.raises(FieldDoesNotExist):  # a bare string is not a list of names
        batch_size_for(AgendaItem, "position")
    with pytest.raises(ValueError):
        batch_size_for(AgendaItem, [])


def test_generated_columns_are_not_counted_and_a_batch_is_at_least_one_row():
    def model(*generated):
        fields = [SimpleNamespace(generated=g) for g in generated]
        return SimpleNamespace(_meta=SimpleNamespace(concrete_fields=fields))

    assert batch_size_for(model(False, False, True, True)) == PARAMETER_BUDGET // 2
    assert batch_size_for(model(*[False] * (PARAMETER_LIMIT + 1))) == 1
