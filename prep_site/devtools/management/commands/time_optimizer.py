import resource
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cards.models import ReviewLog
from cards.schedule import optimizer
from prep_site.devtools.history import DEFAULT_USERNAME


class Command(BaseCommand):
    help = (
        "Time the FSRS optimizer on one person's reviews as the worker runs it (read the "
        "histories, fit, evaluate), saving nothing; prints the times, peak memory and metrics."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", default=DEFAULT_USERNAME, help="Username (default bench).")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No person is called “{options['user']}”.")
        reviews = ReviewLog.objects.filter(user=user).count()
        started = time.perf_counter()
        items = optimizer.histories(user_id=user.pk)
        read = time.perf_counter()
        if len(items) < optimizer.MIN_REVIEWS:
            raise CommandError(
                f"{user.username} has {len(items)} reviews to learn from; "
                f"the optimizer needs {optimizer.MIN_REVIEWS}."
            )
        parameters = optimizer.fitted_parameters(items)
        fitted = time.perf_counter()
        result = optimizer.evaluate(parameters, items)
        done = time.perf_counter()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
        for line in (
            f"Person: {user.username}",
            f"Reviews: {reviews}",
            f"Training items: {len(items)}",
            f"Read the histories: {read - started:.2f} s",
            f"Fit: {fitted - read:.2f} s",
            f"Evaluate: {done - fitted:.2f} s",
            f"Total: {done - started:.2f} s",
            f"Peak RSS: {peak_mb:.1f} MB",
            f"Log loss: default {result.default['log_loss']:.4f}, "
            f"fitted {result.fitted['log_loss']:.4f}",
            f"RMSE: default {result.default['rmse']:.4f}, fitted {result.fitted['rmse']:.4f}",
            f"Kept: {'yes' if result.better else 'no'}",
        ):
            self.stdout.write(line)
