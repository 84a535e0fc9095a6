"""The load and fault tests: real gunicorn workers, Redis, and a database that
is taken away and brought back. ``-m "not load"`` leaves them out."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "load: many concurrent clients against gunicorn, with faults injected "
        "(PREP_LOAD_SECONDS sets the length, default 60)",
    )
