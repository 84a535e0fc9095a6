from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from prep_site.devtools.history import DEFAULT_USERNAME, HistoryRequestError, generate_history


class Command(BaseCommand):
    help = (
        "Create cards and a realistic FSRS study history for one person (created if "
        "missing), for tests and benchmarks: exactly --reviews reviews of --cards cards "
        "over the past --days days."
    )
    # For tests: ``call_command("make_history", ..., now=moment)`` pins the clock.
    stealth_options = ("now",)

    def add_arguments(self, parser):
        parser.add_argument("--cards", type=int, required=True, help="Basic cards to create.")
        parser.add_argument("--reviews", type=int, required=True, help="Reviews to write.")
        parser.add_argument("--user", default=DEFAULT_USERNAME, help="Username (default bench).")
        parser.add_argument("--days", type=int, default=365, help="Days of history (365).")
        parser.add_argument("--seed", type=int, default=None, help="Seed, for the same history.")
        parser.add_argument("--topics", type=int, default=8, help="Topics to create (8).")

    def handle(self, *args, **options):
        now = options.get("now")
        if now is not None and not isinstance(now, datetime):
            raise CommandError("now must be a datetime.")
        try:
            summary = generate_history(
                username=options["user"],
                cards=options["cards"],
                reviews=options["reviews"],
                days=options["days"],
                seed=options["seed"],
                topics=options["topics"],
                now=now,
                report=lambda line: self.stderr.write(line),
            )
        except HistoryRequestError as error:
            raise CommandError(str(error)) from error
        if summary.created_user:
            self.stdout.write(
                f"Created the login: username “{summary.username}”, password “{summary.password}”."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.username}: {summary.cards} cards in {summary.topics} topics, "
                f"{summary.prompts_studied} prompts studied, {summary.reviews} reviews written, "
                f"{summary.due_now} due now, in {summary.seconds:.1f} s."
            )
        )
