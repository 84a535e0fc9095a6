"""Hand-labelled (answer, key point, covered?) triples for the coaching suggestion.

Written as a person would answer out loud: paraphrases that should match,
near misses that use a key point's word but not its idea, and negations.
Every third case (``held_out=True``) was set aside before the threshold was
tuned and is only ever measured, never tuned on.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    answer: str
    key_point: str
    covered: bool
    synonyms: tuple[str, ...] = ()
    held_out: bool = False


CACHE = (
    "I would put a cache in front of the database, probably Redis. Reads hit the cache "
    "first and only go to Postgres on a miss. The hard part is invalidation: when a row "
    "changes we delete the key so the next read refills it. I'd also set a TTL of a few "
    "minutes as a safety net."
)
CONFLICT = (
    "At my last company two senior engineers disagreed about whether to rewrite our "
    "billing service. I was the team lead, so it was my job to get us to a decision. "
    "I met each of them one to one to understand their concerns, then I wrote up both "
    "options with the costs. We agreed to refactor in stages instead of a rewrite. "
    "In the end we shipped it two months early and both of them were happy with it."
)
HASHMAP = (
    "A hash map stores key value pairs in an array of buckets. The key is hashed to "
    "pick a bucket. When two keys land in the same bucket you have a collision, and "
    "you handle it with chaining, a little linked list per bucket.\n"
    "- Lookups are constant time on average\n"
    "- When the table gets too full it resizes and rehashes everything"
)
TESTS = (
    "Honestly we didn't write many tests on that project. We relied on manual QA before "
    "each release. I did add logging so we could see errors in production."
)
SCALE = (
    "First I'd measure where the time goes before changing anything. If the database "
    "is the bottleneck I would add read replicas and send the reporting queries there. "
    "The web servers are stateless, so we can run more of them behind the load balancer."
)
FAILURE = (
    "I once pushed a migration on a Friday that locked a big table and took the site "
    "down for twenty minutes. I rolled it back, wrote the postmortem, and since then "
    "we run migrations on a copy of production data first. What I learned is to check "
    "how long a change takes before it goes out."
)
REST = (
    "REST is about resources identified by URLs, and you act on them with HTTP verbs "
    "like GET and POST. It's stateless, the server doesn't keep a session for the "
    "client. I would not use it for everything though, GraphQL can be better when "
    "clients need very different shapes of data."
)
WEAK = (
    "Um, so basically I think I'd just, you know, look at the code and see what's "
    "wrong. Like, I'd fix it."
)

CASES = [
    # Caching
    Case(CACHE, "Puts a cache such as Redis in front of the database", True),
    Case(CACHE, "Explains cache invalidation when data changes", True, held_out=True),
    Case(CACHE, "Sets an expiry time on cached entries", True, synonyms=("TTL",)),
    Case(CACHE, "Mentions a CDN for static files", False),
    Case(CACHE, "Discusses consistency between replicas", False, held_out=True),
    Case(CACHE, "Measures the cache hit rate", False),
    # Conflict (STAR)
    Case(CONFLICT, "Describes the situation and who disagreed", True),
    Case(CONFLICT, "Listens to both sides before deciding", True, held_out=True),
    Case(CONFLICT, "Names the outcome", True),
    Case(CONFLICT, "Escalates to their manager", False),
    Case(CONFLICT, "Says what they learned", False, held_out=True),
    Case(CONFLICT, "Writes down the options and their costs", True),
    # Hash map
    Case(HASHMAP, "Keys are hashed into buckets", True),
    Case(HASHMAP, "Handles collisions by chaining or open addressing", True, held_out=True),
    Case(HASHMAP, "O(1) average lookup", True, synonyms=("constant time",)),
    Case(HASHMAP, "Resizes when the load factor is high", True),
    Case(HASHMAP, "Mentions the worst case of O(n) lookups", False, held_out=True),
    Case(HASHMAP, "Keeps keys in sorted order", False),
    # Tests (negations)
    Case(TESTS, "Writes automated tests", False),
    Case(TESTS, "Adds logging or monitoring", True, held_out=True),
    Case(TESTS, "Uses code review", False),
    Case(TESTS, "Does manual testing before a release", True),
    # Scaling
    Case(SCALE, "Measures before optimising", True, held_out=True),
    Case(SCALE, "Adds read replicas for the database", True),
    Case(SCALE, "Scales the web tier horizontally", True),
    Case(SCALE, "Shards the database by customer", False, held_out=True),
    Case(SCALE, "Adds a cache for hot reads", False),
    Case(SCALE, "Uses a message queue for slow work", False),
    # Failure (STAR)
    Case(FAILURE, "Owns the mistake", True, held_out=True),
    Case(FAILURE, "Explains how it was fixed", True),
    Case(FAILURE, "Says what they learned", True),
    Case(FAILURE, "Blames another team", False, held_out=True),
    Case(FAILURE, "Adds a process so it does not happen again", True),
    Case(FAILURE, "Talks about database indexes", False),
    # REST
    Case(REST, "Resources identified by URLs", True, held_out=True),
    Case(REST, "Uses HTTP methods for actions", True),
    Case(REST, "Stateless requests", True),
    Case(REST, "Mentions status codes such as 404", False, held_out=True),
    Case(REST, "Compares with GraphQL", True),
    Case(REST, "Explains versioning of the API", False),
    # A weak answer
    Case(WEAK, "Reproduces the bug first", False, held_out=True),
    Case(WEAK, "Writes a failing test", False),
    Case(WEAK, "Reads the code to find the cause", True),
    Case(WEAK, "Checks the logs", False, held_out=True),
    Case(WEAK, "Uses a debugger", False),
    # Synonyms that the words alone would miss
    Case(CACHE, "Uses an in-memory store", True, synonyms=("redis", "memcached")),
    Case(SCALE, "Uses a load balancer", True, held_out=True),
    Case(HASHMAP, "Uses a linked list per bucket", True),
]
