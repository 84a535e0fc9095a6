"""gunicorn's settings for prep, read from this directory by default (command-line
options still win). Workers, the address and the rest are given on the command
line (README, "Production settings")."""

# A sync worker still busy with one request after this long is killed and
# restarted. gunicorn's default of 30 s would cut off the backup download of a
# large collection, which streams for about 30 s at 100,000 cards and 1,000,000
# reviews.
timeout = 120
