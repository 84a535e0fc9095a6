"""Compare the values kept as copies or counts of others with what they copy:
each progress row's topic and suspension, each card's prompts and prompt
count, the card of each progress row, review and quiz item, the per-day review
counts and each study session's ``new_from``. Exits 1 when anything differs;
``--fix`` writes the computed values (in one transaction) and exits 0."""

from django.core.management.base import BaseCommand, CommandError

from cards import integrity


class Command(BaseCommand):
    help = "Check the stored copies and counts against their sources; --fix repairs them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="Write the computed values where they differ."
        )

    def handle(self, *args, fix: bool = False, **options):
        def report(difference: integrity.Difference) -> None:
            self.stdout.write(f"[{difference.check}] {difference}")

        if fix:
            fixed = integrity.fix_all(report)
            left = integrity.find_all()
            for difference in left:
                report(difference)
            if left:
                raise CommandError(
                    f"{len(left)} difference(s) are left after fixing {fixed}.", returncode=1
                )
            self.stdout.write(f"Fixed {fixed} difference(s)." if fixed else "Nothing to fix.")
            return

        found = integrity.find_all()
        for difference in found:
            report(difference)
        if found:
            raise CommandError(
                f"{len(found)} difference(s) found; run check_data --fix to repair them.",
                returncode=1,
            )
        self.stdout.write("Every copy agrees with its source.")
