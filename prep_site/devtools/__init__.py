"""Tools for development, tests and the benchmark, never deployed: the study
history generator (``manage.py make_history``), the benchmark itself
(``python -m prep_site.devtools.benchmark``, run by scripts/benchmark.sh), its
settings (``prep_site.devtools.settings``) and its URLconf with the bare views.

The dev, test and benchmark settings install this app; production's do not,
and no product code imports it."""
