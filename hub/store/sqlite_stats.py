"""What SQLite's query planner should know of the hub's status columns from the start.

Without statistics, SQLite guesses that an equality on any indexed column matches about ten
rows. A status column holds a handful of values over every row of its table, so the guess
sends ``WHERE id IN (16 ids) AND status = 'received'`` (how processing marks a round done)
through the status index, over every event still waiting, instead of the primary key:
3.4 ms instead of 0.07 ms with 20,000 events waiting (issue 2's ingest benchmark). ANALYZE
would tell the planner, but a young database has nothing to measure yet. So the hub writes
into ``sqlite_stat1`` what it knows of these columns, as SQLite's documentation allows
("Manual Control Of Query Plans Using SQLITE_STAT Tables"), for every index that ANALYZE
has not measured; a later ANALYZE replaces them with measured figures.
"""

from __future__ import annotations

from typing import Any

#: (table, indexed column): columns with a few values, each shared by many rows
STATUS_COLUMNS = (
    ("inbound_event", "status"),
    ("outbox", "status"),
    ("conversation", "status"),
)
#: "rows in the index, rows per value": a million rows over four values
STATUS_STAT = "1000000 250000"


async def seed_status_stats(conn: Any) -> int:
    """Record :data:`STATUS_STAT` for each status index that has no statistics yet;
    returns how many it recorded. ``conn`` is a tortoise SQLite client."""
    await conn.execute_script("ANALYZE sqlite_schema")  # creates sqlite_stat1 if missing
    measured = {
        (row["tbl"], row["idx"])
        for row in await conn.execute_query_dict("SELECT tbl, idx FROM sqlite_stat1")
    }
    seeded = 0
    for table, column in STATUS_COLUMNS:
        for index in await _single_column_indexes(conn, table, column):
            if (table, index) not in measured:
                await conn.execute_query(
                    "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)",
                    [table, index, STATUS_STAT],
                )
                seeded += 1
    if seeded:
        await conn.execute_script("ANALYZE sqlite_schema")  # the planner reloads them
    return seeded


async def _single_column_indexes(conn: Any, table: str, column: str) -> list[str]:
    """Names of the indexes of ``table`` on ``column`` alone (tortoise names them by hash)."""
    names = []
    # table names are this module's constants: no input reaches the SQL text
    for index in await conn.execute_query_dict(f'PRAGMA index_list("{table}")'):
        info = await conn.execute_query_dict(f'PRAGMA index_info("{index["name"]}")')
        if [row["name"] for row in info] == [column]:
            names.append(index["name"])
    return names
