"""``python -m prep_site.devtools.coaching_bench``: how fast the mock interview
coaching suggestion is, and how much memory it takes.

Prints the model's load time, the median time to suggest for a 300-word answer
against 8 key points (50 runs, after loading), the time for a longest answer
(MAX_MOCK_ANSWER_LENGTH characters, 12 key points) and the process's peak RSS.
Needs no database: interviews.mock.coaching imports no model."""

import os
import random
import resource
import statistics
import sys
import time

SAMPLE = (
    "I would measure the latency first and then add a cache in front of the database "
    "because most reads repeat. The team agreed after we looked at the numbers, and "
    "we shipped it in two weeks. Um, basically the hard part was invalidation, you "
    "know, when a row changes."
)
WORDS = SAMPLE.split()
KEY_POINTS = [
    "Measures before optimising",
    "Adds a cache in front of the database",
    "Explains cache invalidation",
    "Uses read replicas",
    "Talks about consistency",
    "Gives a number for the result",
    "Involves the team",
    "Mentions monitoring",
]


def answer_of(words: int, rng: random.Random) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    return " ".join(word + ("." if n % 15 == 14 else "") for n, word in enumerate(chosen))


def main() -> int:
    began = time.perf_counter()
    from interviews.mock import coaching
    from interviews.models import MAX_MOCK_ANSWER_LENGTH

    imported = time.perf_counter()
    coaching.model()
    loaded = time.perf_counter()
    text = answer_of(300, random.Random(1))
    runs = []
    for _ in range(50):
        start = time.perf_counter()
        coaching.suggest(text, KEY_POINTS, star=True)
        runs.append(time.perf_counter() - start)
    longest = answer_of(5000, random.Random(2))[:MAX_MOCK_ANSWER_LENGTH]
    start = time.perf_counter()
    coaching.suggest(longest, KEY_POINTS + KEY_POINTS[:4], star=True)
    longest_seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        f"import {1000 * (imported - began):.0f} ms, model load {1000 * (loaded - imported):.0f} ms"
    )
    print(
        f"suggest, 300 words x 8 key points: median {1000 * statistics.median(runs):.1f} ms "
        f"(50 runs, max {1000 * max(runs):.1f} ms)"
    )
    print(
        f"suggest, longest answer ({len(longest):,} characters) x 12 key points: "
        f"{1000 * longest_seconds:.0f} ms"
    )
    print(f"peak RSS {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prep_site.settings.test")
    django.setup()
    sys.exit(main())
