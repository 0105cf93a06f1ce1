"""The dashboard's biggest sums are answered from indexes that hold what they add up, so the
figures are built without reading the tables (checked with table scans ruled out: a query
that needs a column the index lacks fails here)."""

import pytest
from django.db import connection

from reports import figures

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def plan_of(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_opportunities_are_counted_from_their_index_alone(board):
    sql, params = figures.opportunity_count_rows(board, TODAY).query.sql_with_params()
    assert "Index Only Scan using opportunity_board_counts" in plan_of(sql, params)


def test_each_bodys_estimates_are_read_from_their_index_alone(board):
    plan = plan_of(figures.BENEFITS_SQL, figures.benefits_sql_values(board))
    assert "Index Only Scan using benefit_estimate_chains" in plan
