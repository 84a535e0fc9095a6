"""``python -m prep_site.devtools.benchmark``: the benchmark of one database."""

import sys

from .run import main

sys.exit(main())
