import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from accounts.delete.services import account_delete
from cards.imports.parsing import parse_upload
from cards.imports.services import create_import_job
from cards.imports.writing import import_rows
from cards.models import CardMedia, ImportJob, ReviewLog
from prep_site.devtools.anki_deck import build_deck_elsewhere

USERNAME = "anki-import-bench"


class Command(BaseCommand):
    help = (
        "Time an Anki import as the workers run it: build a deck in Anki 2.1.50's format "
        "with Anki's engine (requirements-dev.txt), then read it and write it for a new "
        f"person ({USERNAME}, replaced each run). Prints the times, the rows written and "
        "the peak memory of reading and writing (the engine runs in another process)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--notes", type=int, default=20_000)
        parser.add_argument("--reviews", type=int, default=200_000)
        parser.add_argument("--images", type=int, default=200)
        parser.add_argument("--image-bytes", type=int, default=50_000)

    def handle(self, *args, **options):
        try:
            import anki  # noqa: F401
        except ImportError:
            raise CommandError(
                "This needs Anki's engine: pip install -r requirements-dev.txt"
            ) from None
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            context = multiprocessing.get_context("spawn")
            with context.Pool(1) as pool:
                path = pool.apply(
                    build_deck_elsewhere,
                    (folder,),
                    {
                        "notes": options["notes"],
                        "reviews": options["reviews"],
                        "images": options["images"],
                        "image_bytes": options["image_bytes"],
                    },
                )
            built = time.perf_counter()
            self.stdout.write(
                f"Deck: {options['notes']:,} notes, {options['reviews']:,} reviews, "
                f"{options['images']} images; {Path(path).stat().st_size / 1e6:.1f} MB, "
                f"built in {built - started:.1f} s"
            )
            self._import(Path(path))

    def _import(self, path: Path) -> None:
        users = get_user_model()
        for earlier in users.objects.filter(username=USERNAME):
            account_delete(user=earlier)
        person = users.objects.create_user(USERNAME)
        started = time.perf_counter()
        with path.open("rb") as file:
            parsed = parse_upload(file=file, filename=path.name, default_topic="", reading={})
        job = create_import_job(user=person, filename=path.name, parsed=parsed)
        read = time.perf_counter()
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.RUNNING, on_duplicate="skip", started_at=timezone.now()
        )
        import_rows(job_id=job.pk)
        written = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
        job.refresh_from_db()
        for line in (
            f"Database: {connection.vendor}",
            f"Read and checked: {read - started:.1f} s ({len(parsed.rows):,} rows, "
            f"{parsed.error_count} errors)",
            f"Written: {written - read:.1f} s ({job.result['created']:,} cards, "
            f"{ReviewLog.objects.filter(user=person).count():,} reviews, "
            f"{CardMedia.objects.filter(card__owner=person).count()} images)",
            f"Total: {written - started:.1f} s (target: 120 s)",
            f"Peak RSS: {peak:.0f} MB (target: 500 MB)",
        ):
            self.stdout.write(line)
        account_delete(user=person)  # with the images' files
