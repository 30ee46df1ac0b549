"""Multi-row inserts that give every new row its id: one round trip for a whole batch.

tortoise's ``bulk_create`` inserts with ``executemany`` and leaves the ids unset, and one
``Model.create`` per row costs a round trip each, which is what caps the processing rate
on SQLite's single connection. Both supported databases assign the ids of one
``INSERT … VALUES`` in the order of its rows, so the returned ids, sorted, belong to the
instances in the order given.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeVar

from tortoise.models import Model

M = TypeVar("M", bound=Model)

#: bound parameters per statement stay well under SQLite's (32,766) and PostgreSQL's limits
MAX_PARAMETERS = 30_000


def placeholders(dialect: str, count: int) -> list[str]:
    """Bound-parameter marks: ``?`` for SQLite, ``$1``… for PostgreSQL."""
    if dialect == "sqlite":
        return ["?"] * count
    return [f"${n}" for n in range(1, count + 1)]


def values_sql(dialect: str, rows: int, width: int) -> str:
    """``(…),(…)`` placeholders for a multi-row ``VALUES`` of ``rows`` × ``width``."""
    marks = placeholders(dialect, rows * width)
    return ",".join("(" + ",".join(marks[r * width : (r + 1) * width]) + ")" for r in range(rows))


def _columns(model: type[Model]) -> list[str]:
    fields_map = model._meta.fields_map
    return [name for name in model._meta.fields_db_projection if not fields_map[name].generated]


@lru_cache(maxsize=512)
def insert_sql(model: type[Model], dialect: str, rows: int) -> str:
    """``INSERT … VALUES (…),(…) RETURNING id`` for ``rows`` rows of ``model``."""
    names = _columns(model)
    values = values_sql(dialect, rows, len(names))
    projection = model._meta.fields_db_projection
    columns = ",".join(f'"{projection[name]}"' for name in names)
    pk = projection[model._meta.pk_attr]
    # table and column names come from the model definitions: no input reaches the SQL text
    return f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES {values} RETURNING "{pk}"'  # noqa: S608


async def insert_all(conn: Any, instances: Sequence[M]) -> Sequence[M]:
    """Insert ``instances`` (all of one model, ids unset) and set their ids."""
    if not instances:
        return instances
    model = type(instances[0])
    names = _columns(model)
    fields_map = model._meta.fields_map
    per_statement = max(1, MAX_PARAMETERS // len(names))
    dialect = conn.capabilities.dialect
    for start in range(0, len(instances), per_statement):
        chunk = instances[start : start + per_statement]
        values = [
            fields_map[name].to_db_value(getattr(instance, name), instance)
            for instance in chunk
            for name in names
        ]
        rows = await conn.execute_query_dict(insert_sql(model, dialect, len(chunk)), values)
        pk = model._meta.fields_db_projection[model._meta.pk_attr]
        ids = sorted(row[pk] for row in rows)
        if len(ids) != len(chunk):
            raise RuntimeError(f"{model.__name__}: inserted {len(chunk)} rows, got {len(ids)} ids")
        for instance, new_id in zip(chunk, ids, strict=True):
            instance.pk = new_id
            instance._saved_in_db = True
    return instances


async def update_each(conn: Any, model: type[M], column: str, instances: Sequence[M]) -> None:
    """Write ``column`` of each instance (its own value each) with one ``executemany``."""
    if not instances:
        return
    field = model._meta.fields_map[column]
    projection = model._meta.fields_db_projection
    pk = projection[model._meta.pk_attr]
    marks = ("?", "?") if conn.capabilities.dialect == "sqlite" else ("$1", "$2")
    sql = (
        f'UPDATE "{model._meta.db_table}" SET "{projection[column]}"={marks[0]} '  # noqa: S608
        f'WHERE "{pk}"={marks[1]}'
    )
    values = [[field.to_db_value(getattr(i, column), i), i.pk] for i in instances]
    await conn.execute_many(sql, values)
