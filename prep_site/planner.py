"""PostgreSQL's planner statistics, refreshed after a bulk write.

The planner picks each plan from what it last learned of a table's size. After
an import or a restore writes thousands of rows into tables it last saw (nearly)
empty, it can take a large table for a one-row one and read it once for each
row of another: the walk to a study session's first new card then ran for
minutes over 2,000 freshly written cards. Autovacuum refreshes the statistics
within a minute or so; the import and the restore refresh them at once instead.
"""

from django.apps import apps
from django.db import connection, transaction

# A write this large may change a table's size enough to change its plans.
BULK_ROWS = 1000
# The tables a large write fills, and the hot queries read.
TABLES = ("cards.Card", "cards.Prompt", "cards.Progress", "cards.ReviewLog")


def analyze_after_commit(rows_written: int) -> None:
    """Once the current transaction commits, have PostgreSQL ANALYZE the card
    tables, if ``rows_written`` makes it a bulk write. (SQLite plans from its
    indexes alone here: it never runs ANALYZE, so it has no statistics to age.)
    If ANALYZE fails, the error is logged: the write has committed, and
    autovacuum will still come."""
    if connection.vendor == "postgresql" and rows_written >= BULK_ROWS:
        transaction.on_commit(analyze, robust=True)


def analyze() -> None:
    names = ", ".join(
        connection.ops.quote_name(apps.get_model(label)._meta.db_table) for label in TABLES
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {names}")
