"""Write one person's backup, the same file the "Your data" page downloads."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.backup import backup_json_chunks, backup_sections, gzip_chunks


class Command(BaseCommand):
    help = "Export everything of one user as a prep backup (JSON; gzip when FILE ends in .gz)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="Write here instead of to standard output."
        )

    def handle(self, *args, username, output=None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called “{username}”.")
        chunks = backup_json_chunks(backup_sections(user=user, now=timezone.now()))
        if output is None:
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            return
        if output.endswith(".gz"):
            chunks = gzip_chunks(chunks)
        with open(output, "wb") as file:
            for chunk in chunks:
                file.write(chunk)
        self.stderr.write(f"Backup of {username} written to {output}.")
