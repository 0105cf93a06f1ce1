"""The dashboard's biggest sums are answered from indexes that hold what they add up, so the
figures are built without reading the tables: each index exists, and each query reads no column
its index lacks (a column added to a query, and not to its index, fails here)."""

import re

import pytest
from django.db import connection

from opportunities.models import Benefit
from reports import figures

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def index_definition(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        (definition,) = cursor.fetchone()
    return definition


def columns_of(definition: str) -> set[str]:
    """The columns an index holds, from its definition."""
    listed = definition.split("USING btree (", 1)[1].split(")", 1)[0]
    return {column.strip() for column in listed.split(",")}


def test_the_opportunities_are_counted_from_their_index_alone(board):
    held = columns_of(index_definition("opportunity_board_counts"))
    sql, _params = figures.opportunity_count_rows(board, TODAY).query.sql_with_params()
    read = set(re.findall(r'"opportunities_opportunity"\."(\w+)"', sql))
    assert read and read <= held
    assert "COUNT(*)" in sql  # counting a column (the id, say) would read the table


def test_each_bodys_estimates_are_read_from_their_index_alone():
    """The trigger that works out a chain's latest estimate (migration 0023) reads only the
    chain index's columns, in its order."""
    definition = index_definition("benefit_estimate_chains")
    assert "WHERE ((kind)::text = 'estimated'::text)" in definition
    held = columns_of(definition) | {"kind"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'opportunities_benefit_chain'")
        (source,) = cursor.fetchone()
    chain = source.split("FROM opportunities_benefit", 2)[1].split(") chain", 1)[0]
    read = set(re.findall(r"\b([a-z_]+)\b", chain)) & {
        field.column for field in Benefit._meta.concrete_fields
    }
    assert read and read <= held
    assert "ORDER BY recorded_at, id" in chain
    assert held >= {"opportunity_id", "organisation_id", "recorded_at", "id"}
