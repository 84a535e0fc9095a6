"""The speed benchmark of one database, run by scripts/benchmark.sh.

    .venv/bin/python -m prep_site.devtools.benchmark --db sqlite [--quick]
    .venv/bin/python -m prep_site.devtools.benchmark --db postgresql \
        --pg-url postgres://... [--quick]

Builds a fresh database with a large history (``make_history``: a "big" person
with 100,000 cards and 1,000,000 reviews, a "small" one with 1,000 and 10,000),
serves the app with gunicorn (production settings, DEBUG off, 2 sync workers)
on 127.0.0.1 next to a bare Django view, drives every endpoint with wrk for a
fixed time and prints requests per second, latency percentiles, errors, the
ratio to the bare view and, big person against small, the ratio of median
latencies; then PASS/FAIL for the product's speed bars, the peak memory of
each gunicorn worker, the SQL each page runs and the plans of the heaviest
queries.

Everything it starts it stops, every wrk run is bounded by -d, the whole run
by --timeout, and it only ever talks to 127.0.0.1.

The modules, in the order of a run (``run``): ``database`` builds the database
and its history, ``people`` prepares each person inside Django, ``serving``
runs gunicorn, ``load`` drives wrk (with the scripts in ``lua/``),
``profiling`` measures in this process, and ``report`` prints the figures and
judges them against the bars. ``common`` holds the endpoints, the people and
the results they all share.
"""
