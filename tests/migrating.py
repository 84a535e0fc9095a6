"""Running a migration in a test: the models as they were before it, to fill."""

from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@contextmanager
def models_at(node: tuple[str, str]):
    """The apps' models with ``node``'s app at that migration (the others at their
    latest), to fill with rows; on leaving, every app migrates to its latest."""
    executor = MigrationExecutor(connection)
    state = [n for n in executor.loader.graph.leaf_nodes() if n[0] != node[0]] + [node]
    try:
        executor.migrate([node])
        executor.loader.build_graph()
        yield executor.loader.project_state(state).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
