#!/usr/bin/env python
"""Take the landing page's screenshots from the app itself.

Builds a throwaway test database (the test settings: SQLite unless
DATABASE_URL is set), fills it with a demo person, serves the app on a live
server and photographs the study page, the progress dashboard and an
interview's checklist with headless Chromium (prep_site/devtools/screenshots.py),
each in the light and the dark theme, on a desktop and on a phone.

    .venv/bin/python scripts/screenshots.py [--out static/img/screens]

Needs the development packages (Playwright) and /usr/bin/chromium
(scripts/test.sh installs both)."""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "static" / "img" / "screens")
    out = parser.parse_args(argv).out.resolve()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prep_site.settings.test")
    import django

    django.setup()
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connection
    from django.test.testcases import LiveServerThread
    from django.test.utils import setup_test_environment, teardown_test_environment

    from prep_site.devtools import screenshots

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    server = None
    try:
        shots = screenshots.seed()
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        written = screenshots.photograph(f"http://127.0.0.1:{server.port}", shots, out)
    finally:
        if server is not None:
            server.terminate()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
