"""The database's own plan for a query, read the same way on SQLite and PostgreSQL."""

from django.db import connection


def plan_of_sql(sql: str, params=None) -> str:
    """The plan the database would run ``sql`` with, a line per step. Without
    ``params``, ``sql`` is taken as written (as a captured query is)."""
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def plan_of(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    return plan_of_sql(sql, params)
