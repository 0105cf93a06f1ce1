"""``column IN (...)`` over a list of any length, without one parameter per value.

``field__in=[...]`` sends one bind parameter per value: PostgreSQL refuses a statement with more
than 65 535 of them, and parsing and planning thousands of them costs more than the query. On
PostgreSQL a list longer than ``SHORT_LIST`` goes as one array, read as a hashed subquery. A
short list stays a plain ``IN``, which the planner can answer from an index (also inside an
``OR``), and an empty one matches nothing without asking the database. Elsewhere (the embedded
SQLite default, with small data) it is always a plain ``__in``.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import F, Lookup, Q

SHORT_LIST = 100


class AmongIds(Lookup):
    """``column IN (SELECT unnest(%s::bigint[]))``, the ids in PostgreSQL's array syntax."""

    lookup_name = "among_ids"
    prepare_rhs = False
    sql_type = "bigint"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        sql = f"{lhs} IN (SELECT unnest({rhs}::{self.sql_type}[]))"
        return sql, (*lhs_params, *rhs_params)


class AmongTexts(AmongIds):
    lookup_name = "among_texts"
    sql_type = "text"


def among_ids(name: str, ids: Iterable[int]) -> Q:
    """The rows whose ``name`` (an integer column) is one of ``ids``."""
    values = sorted({int(pk) for pk in ids})
    if connection.vendor != "postgresql" or len(values) <= SHORT_LIST:
        return Q(**{f"{name}__in": values})
    return Q(AmongIds(F(name), "{" + ",".join(map(str, values)) + "}"))


def among_texts(name: str, texts: Iterable[str]) -> Q:
    """The rows whose ``name`` (a text column) is one of ``texts``."""
    values = sorted(set(texts))
    if connection.vendor != "postgresql" or len(values) <= SHORT_LIST:
        return Q(**{f"{name}__in": values})
    return Q(AmongTexts(F(name), values))
