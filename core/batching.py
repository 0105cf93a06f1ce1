"""Batch sizes for bulk_create and bulk_update that keep each statement under PostgreSQL's limit of
65 535 bind parameters.

With server-side binding (settings: ``server_side_binding``) every value travels as a separate
parameter of the statement, and PostgreSQL's protocol counts them in 16 bits: a statement with
more fails before it reaches the server ("number of parameters must be between 0 and 65535").
Django caps its batches for SQLite and Oracle (``connection.ops.bulk_batch_size``) but not for
PostgreSQL, where it returns every row at once. Its UNNEST insert (one array parameter per
column) avoids the limit only for some models: a search-document column, a binary field or an
expression among the values sends the insert back to one parameter per value.

Pass the size as ``batch_size``; Django still lowers it further where its backend needs less
(SQLite's 999). Counting every concrete column keeps the figure safe whichever insert Django
chooses.
"""

from collections.abc import Iterable

from django.db import models

PARAMETER_LIMIT = 65_535
# Kept below the limit so a statement may carry a few parameters besides its rows.
PARAMETER_BUDGET = 60_000


def batch_size_for(model: type[models.Model], fields: Iterable[str] | None = None) -> int:
    """Rows per statement for ``model``: for ``bulk_create`` without ``fields`` (one parameter
    per concrete column of each row), for ``bulk_update(objs, fields)`` with them (the primary
    key and the value for each field in its CASE, and the primary key again in the IN list)."""
    opts = model._meta
    if fields is None:
        per_row = sum(1 for field in opts.concrete_fields if not getattr(field, "generated", False))
    else:
        model_fields = [opts.get_field(name) for name in fields]
        if not model_fields:
            raise ValueError("bulk_update needs at least one field.")
        pk_columns = len(getattr(opts, "pk_fields", None) or [opts.pk])
        per_row = len(model_fields) * (pk_columns + 1) + pk_columns
    return max(1, PARAMETER_BUDGET // per_row)
