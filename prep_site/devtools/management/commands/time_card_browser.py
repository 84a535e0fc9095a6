import re
import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_q.conf import Conf
from taggit.models import Tag, TaggedItem

from cards.models import Card, Progress, Topic, UndoRecord
from prep_site.devtools.browser_searches import (
    EVERY_COLUMN,
    SINGLE,
    SORTS,
    TRIPLES,
    TYPICAL,
    filled,
)
from prep_site.devtools.history import generate_history

PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"
BROWSER = reverse("cards:card_browser")
BAR_RATIO = 3.0  # the big person's first page against the small one's
BAR_BULK = 5.0  # seconds for one bulk action on BULK_TAG's cards
BULK_TAG = "x"  # one card in ten of the person's: 10,000 of 100,000
# "12 cards match", "1 card matches", "1,000+ cards match" (counted up to a bound).
FOUND = re.compile(r"(\d[\d,]*\+?) cards?(?: match|[.,])")
# The cap tests/cards/browse/test_browser_queries_at_scale.py asserts.
MAX_QUERIES = 8
# A request slower than this is timed once, not runs times.
SLOW = 2.0


class Deadline(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Time the card browser's first page through the test client for a big and a small "
        "person (built with make_history's generator when missing): each search term alone, "
        "some of three, each schedule sort and ten typical searches, with the queries each "
        "runs; then each bulk action, and its undo, on one card in ten of the big person's."
    )

    def add_arguments(self, parser):
        parser.add_argument("--big", default="big", help="The big person (default big).")
        parser.add_argument("--small", default="small", help="The small person (small).")
        parser.add_argument("--big-cards", type=int, default=100_000, help="When built.")
        parser.add_argument("--small-cards", type=int, default=1_000, help="When built.")
        parser.add_argument("--runs", type=int, default=5, help="Timed runs of each page (5).")
        parser.add_argument("--no-bulk", action="store_true", help="Leave out the bulk actions.")
        parser.add_argument("--no-pages", action="store_true", help="Time the bulk actions only.")
        parser.add_argument(
            "--limit", type=float, default=1800, help="Stop after this many seconds (1800)."
        )

    def handle(self, *args, **options):
        # The pages link their static files by name, with no collectstatic.
        storages = {**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STATIC}}
        with override_settings(STORAGES=storages):
            self.measure(options)

    def measure(self, options):
        self.deadline = time.monotonic() + options["limit"]
        self.stop_statements_at_deadline(options["limit"])
        self.runs = max(1, options["runs"])
        big = self.person(options["big"], options["big_cards"], seed=1)
        small = self.person(options["small"], options["small_cards"], seed=2)
        for user in (big, small):
            self.prepare(user)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"{connection.vendor}: {self.cards(big):,} cards for {big.username}, "
            f"{self.cards(small):,} for {small.username}; median of {self.runs} runs"
        )
        people = {"small": (small, self.client(small)), "big": (big, self.client(big))}
        failed = False
        try:
            for title, searches, sort in (
                ("Each term alone", SINGLE, None),
                ("Three terms together", TRIPLES, None),
                ("Sorted by a schedule figure", ("",) * len(SORTS), SORTS),
                ("Typical searches", TYPICAL, None),
            ):
                if not options["no_pages"]:
                    failed |= self.table(title, people, searches, sort)
            if not options["no_bulk"]:
                failed |= self.bulk(big, people["big"][1])
        except (Deadline, OperationalError):
            self.stdout.write(f"Stopped: the limit of {options['limit']:.0f} s was reached.")
            failed = True
        if failed:
            raise CommandError("A target was missed.")

    def stop_statements_at_deadline(self, limit: float) -> None:
        """No statement runs past the limit: SQLite's is interrupted, and
        PostgreSQL's times out (a bulk action may take minutes)."""
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            past = lambda: time.monotonic() > self.deadline  # noqa: E731
            connection.connection.set_progress_handler(past, 100_000)
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(limit * 1000)}")

    # The people ------------------------------------------------------------------------

    def person(self, username: str, cards: int, *, seed: int):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            self.stderr.write(f"Building {username}: {cards:,} cards, {cards * 10:,} reviews…")
            generate_history(
                username=username,
                cards=cards,
                reviews=cards * 10,
                days=365,
                seed=seed,
                topics=8,
                now=None,
                report=lambda line: self.stderr.write(line),
            )
            user = get_user_model().objects.get(username=username)
        return user

    def cards(self, user) -> int:
        return Card.objects.filter(owner=user).count()

    def prepare(self, user) -> None:
        """What make_history leaves out, once: one card in ten tagged x, one in
        twenty y, one in 500 leech, one in 100 suspended."""
        content_type = ContentType.objects.get_for_model(Card)
        mine = Card.objects.filter(owner=user)
        x, _ = Tag.objects.get_or_create(name="x", defaults={"slug": "x"})
        if TaggedItem.objects.filter(tag=x, object_id__in=mine.values("pk")).exists():
            return
        ids = list(mine.order_by("pk").values_list("pk", flat=True))
        items = []
        for name, every in (("x", 10), ("y", 20), ("leech", 500)):
            tag = x if name == "x" else Tag.objects.get_or_create(name=name)[0]
            items += [
                TaggedItem(content_type=content_type, object_id=pk, tag=tag) for pk in ids[::every]
            ]
        TaggedItem.objects.bulk_create(items, batch_size=1000)
        suspended = ids[5::100]
        Card.objects.filter(pk__in=suspended).update(suspended=True)
        Progress.objects.filter(card_id__in=suspended).update(suspended=True)

    def client(self, user) -> Client:
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)
        return client

    # The browser -----------------------------------------------------------------------

    def check_time(self):
        if time.monotonic() > self.deadline:
            raise Deadline

    def page(self, client, query: dict) -> tuple[float, int, str]:
        """The median time of the page (ms), its queries and the cards it says
        it finds, after one visit."""
        self.check_time()
        response = client.get(BROWSER, query)
        if response.status_code != 200 or b'data-testid="pointer"' in response.content:
            raise CommandError(f"{query} answered {response.status_code} or was refused.")
        found = FOUND.search(response.content.decode())
        times = []
        for _ in range(self.runs):
            started = time.perf_counter()
            client.get(BROWSER, query)
            times.append(time.perf_counter() - started)
            if times[0] > SLOW:
                break
        with CaptureQueriesContext(connection) as captured:
            client.get(BROWSER, query)
        return statistics.median(times) * 1000, len(captured), found[1] if found else "0"

    def table(self, title, people, searches, sorts) -> bool:
        self.stdout.write(f"\n{title}")
        self.stdout.write(f"{'search':<46} {'1k ms':>8} {'100k ms':>8} {'ratio':>6}        queries")
        failed = False
        for n, search in enumerate(searches):
            sort = sorts[n] if sorts else None
            measured = {}
            for size, (user, client) in people.items():
                topic = Topic.objects.filter(owner=user).order_by("name").first().name
                query = {"q": filled(search, topic), "cols": EVERY_COLUMN}
                if sort:
                    query["sort"] = sort
                measured[size] = self.page(client, query)
            (small_ms, small_q, _), (big_ms, big_q, big_n) = measured["small"], measured["big"]
            ratio = big_ms / small_ms
            ok = ratio <= BAR_RATIO and big_q <= MAX_QUERIES
            failed |= not ok
            label = f"sort={sort}" if sort else search
            self.stdout.write(
                f"{label:<46} {small_ms:>8.1f} {big_ms:>8.1f} {ratio:>6.2f} "
                f"{'PASS' if ok else 'FAIL'}  {small_q:>3} / {big_q:<3} {big_n:>8}"
            )
        return failed

    # Bulk actions ----------------------------------------------------------------------

    def bulk(self, user, client) -> bool:
        """Each action, then its undo, on the cards tagged BULK_TAG, timed once.
        An action on more than a thousand cards goes to a worker: here it runs
        in this process as the request commits (django-q2's sync mode, as in the
        tests), so the time is the request's and the worker's together."""
        sync, Conf.SYNC = Conf.SYNC, True
        try:
            return self.bulk_steps(user, client)
        finally:
            Conf.SYNC = sync

    def bulk_steps(self, user, client) -> bool:
        search = f"tag:{BULK_TAG} mine"
        topic = Topic.objects.filter(owner=user).order_by("name").first()
        self.stdout.write(f"\nBulk actions on “{search}” ({BULK_TAG} tags one card in ten)")
        self.stdout.write(f"{'action':<30} {'cards':>7} {'seconds':>8}")
        steps = [
            ("add_tags", {"tags": "bulk-added"}),
            ("remove_tags", {"tags": BULK_TAG}),
            ("suspend", {}),
            ("unsuspend", {}),
            ("move", {"topic": topic.pk}),
            ("reset", {"confirmed": "1"}),  # progress and reviews kept for the undo
        ]
        failed = False
        for action, fields in steps:
            if action == "unsuspend":  # cards to unsuspend, untimed
                self.post(client, "card_bulk", {"action": "suspend", "all": "1", "q": search})
            seconds = self.post(
                client, "card_bulk", {"action": action, "all": "1", "q": search, **fields}
            )
            record = UndoRecord.objects.get(user=user)
            failed |= self.bulk_line(action, len(record.changes), seconds)
            seconds = self.post(client, "card_bulk_undo", {"undo": record.pk})
            failed |= self.bulk_line(f"undo {action}", len(record.changes), seconds)
            if action == "unsuspend":  # the undo suspended them again
                self.post(client, "card_bulk", {"action": "unsuspend", "all": "1", "q": search})
        return failed

    def post(self, client, route: str, data: dict) -> float:
        self.check_time()
        started = time.perf_counter()
        response = client.post(reverse(f"cards:{route}"), data)
        seconds = time.perf_counter() - started
        if response.status_code != 302:
            raise CommandError(f"{route} {data} answered {response.status_code}.")
        return seconds

    def bulk_line(self, label: str, cards: int, seconds: float) -> bool:
        ok = seconds <= BAR_BULK
        self.stdout.write(f"{label:<30} {cards:>7,} {seconds:>8.2f} {'PASS' if ok else 'FAIL'}")
        return not ok
