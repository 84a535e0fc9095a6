"""The made-up text of a generated card: a question about a topic and a short
answer, from a few stock phrases."""

from __future__ import annotations

import random

_TERMS = (
    "a cache",
    "an index",
    "a queue",
    "a lock",
    "a hash map",
    "a B-tree",
    "a log",
    "a replica",
    "a shard",
    "a checksum",
    "a heap",
    "a trie",
    "a socket",
    "a thread",
    "a transaction",
    "a snapshot",
    "a bloom filter",
    "a load balancer",
    "a write-ahead log",
    "a vector clock",
    "a semaphore",
    "a cursor",
    "a view",
    "a join",
    "a partition",
)
_QUESTIONS = (
    "Question {n} about {topic}: what is {a} for?",
    "Question {n} about {topic}: when would you pick {a} over {b}?",
    "Question {n} about {topic}: how does {a} fail?",
    "Question {n} about {topic}: what does {a} cost?",
    "Question {n} about {topic}: how do {a} and {b} differ?",
    "Question {n} about {topic}",
)
_ANSWERS = (
    "It keeps {a} close to {b}.",
    "Mostly memory; sometimes {b}.",
    "When {b} is too slow.",
    "Answer {n}: {a}, then {b}.",
    "By trading {a} for {b}.",
)


def card_text(rng: random.Random, n: int, topic: str) -> tuple[str, str]:
    a, b = rng.sample(_TERMS, 2)
    front = rng.choice(_QUESTIONS).format(n=n, topic=topic, a=a, b=b)
    back = rng.choice(_ANSWERS).format(n=n, a=a, b=b)
    return front, back[0].upper() + back[1:]
