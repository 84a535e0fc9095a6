"""What can be observed of an answer without judging its content: its length,
the time it takes to say, filler words, repeated words and, for a STAR
question, which of its four parts show.

Filler words are counted with care, since most of them are also plain words:

- "um", "uh", "er", "erm", "basically" and "actually" always count;
- "like" counts only when set off by commas (", like,") or as the first word
  of a sentence followed by a comma ("Like, we..."): "I like Python" and
  "tools like Redis" do not;
- "you know" counts unless a word follows that makes it a real question or
  statement ("you know that...", "you know what", "you know how", "you know the");
- "sort of" and "kind of" count unless they follow "a", "the", "what", "this",
  "that", "some", "any", "which", "every" or "one" ("a kind of cache" does not);
- "I mean" counts when a comma follows it or when it opens a sentence.
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

WORDS_PER_MINUTE = 130
# A content word counts as overused from this many uses and this share of all words.
OVERUSED_MIN, OVERUSED_SHARE = 4, 0.03
STAR_SIMILARITY = 0.45  # embedding similarity that counts without a cue phrase

STOPWORDS = frozenset(
    """
    a an and are as at be been but by can could did do does for from had has have
    how i i'd i'll i'm if in into is it it's its just me more most my of on once one
    or our out over so some such than that the their them then there these they this
    those to too up us very was we we'd were what when where which while who why
    will with would you your about also any each other only own same should both few
    all
    """.split()  # noqa: SIM905
)
_WORD = re.compile(r"[a-z0-9][a-z0-9'+#]*")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


_FILLERS = {
    "um": r"\bu+m+\b",
    "uh": r"\bu+h+\b",
    "er": r"\b(?:er|erm)\b",
    "basically": r"\bbasically\b",
    "actually": r"\bactually\b",
    "like": r"(?:,\s*like\s*,|(?:^|[.!?\n]\s*)like\s*,)",
    "you know": (
        r"\byou know\b(?!\s+(?:that|what|how|why|when|where|who|whether|if|the|a|an|it|him|"
        r"her|them|about|this|each)\b)"
    ),
    "sort of": r"(?<!\ba )(?<!\bthe )(?<!\bwhat )(?<!\bthis )(?<!\bthat )(?<!\bsome )"
    r"(?<!\bany )(?<!\bwhich )(?<!\bevery )(?<!\bone )\bsort of\b",
    "kind of": r"(?<!\ba )(?<!\bthe )(?<!\bwhat )(?<!\bthis )(?<!\bthat )(?<!\bsome )"
    r"(?<!\bany )(?<!\bwhich )(?<!\bevery )(?<!\bone )\bkind of\b",
    "I mean": r"(?:\bi mean\s*,|(?:^|[.!?\n]\s*)i mean\b)",
}
_FILLER_PATTERNS = {name: re.compile(pattern) for name, pattern in _FILLERS.items()}
_REPEAT = re.compile(r"\b([a-z']+)(?:\s+\1\b)+")

STAR_PARTS = {
    "Situation": (
        "The background: where I worked, when it happened and what was going on.",
        r"\b(?:at my (?:last|previous|first|old|current) (?:job|company|role|team)|"
        r"when i was|a few (?:years|months) ago|last year|back (?:in|when)|"
        r"the situation|our team (?:was|had)|we had (?:a|an)|i was working)\b",
    ),
    "Task": (
        "What I had to achieve, my goal and my responsibility.",
        r"\b(?:my (?:task|job|goal|responsibility|role) was|i was (?:asked|responsible|"
        r"tasked|supposed)|i (?:needed|had) to|we (?:needed|had) to|the goal was|"
        r"the challenge was|it was my job)\b",
    ),
    "Action": (
        "The steps I took: what I did, decided, built and said.",
        r"\b(?:so i|first,? i|then i|i (?:decided|started|built|wrote|set up|introduced|"
        r"proposed|organi[sz]ed|talked|met|created|implemented|added|moved|led|reached out|"
        r"scheduled|broke|refactored|designed|ran|paired|spoke|rolled|asked|fixed))\b",
    ),
    "Result": (
        "The outcome: what changed, the numbers, and what I learned.",
        r"(?:\b(?:as a result|in the end|the result|resulted in|the outcome|we shipped|"
        r"(?:reduced|increased|improved|cut|saved|dropped|grew)\b|which meant|"
        r"(?:i|we) learned|what i learned|since then)\b|\d+\s*(?:%|percent))",
    ),
}
_STAR_CUES = {part: re.compile(cue) for part, (_, cue) in STAR_PARTS.items()}


@dataclass
class StarPart:
    part: str
    present: bool
    sentence: object | None  # coaching.Sentence that shows it


@dataclass
class Measures:
    word_count: int
    speaking_seconds: int
    fillers: dict[str, int]
    filler_total: int
    doubled: list[str]  # words said twice in a row ("the the")
    overused: list[tuple[str, int]]  # content words used unusually often
    star: list[StarPart] | None

    @property
    def speaking_time(self) -> str:
        minutes, seconds = divmod(self.speaking_seconds, 60)
        return f"{minutes}:{seconds:02d}"


def count_fillers(text: str) -> dict[str, int]:
    lowered = text.lower().replace("’", "'")
    counts = {name: len(pattern.findall(lowered)) for name, pattern in _FILLER_PATTERNS.items()}
    return {name: count for name, count in counts.items() if count}


def doubled_words(text: str) -> list[str]:
    return [m.group(1) for m in _REPEAT.finditer(text.lower()) if m.group(1) != "had"]


def overused_words(content: list[str], total: int, topic_words=()) -> list[tuple[str, int]]:
    """Content words used at least OVERUSED_MIN times and OVERUSED_SHARE of all
    words; the words of the key points themselves (the topic) are expected."""
    topic = set(topic_words)
    limit = max(OVERUSED_MIN, OVERUSED_SHARE * total)
    counts = Counter(word for word in content if len(word) > 3 and word not in topic)
    return [(word, n) for word, n in counts.most_common() if n >= limit]


def star_parts(sentences: list, embed: Callable) -> list[StarPart]:
    """Each STAR part: present when a sentence has one of its cue phrases, or
    is close in meaning to the part's short description. The sentence shown is
    the first with a cue, else the closest."""
    texts = [s.text for s in sentences]
    vectors = embed(texts + [description for description, _ in STAR_PARTS.values()])
    found = []
    for n, part in enumerate(STAR_PARTS):
        cued = next((s for s in sentences if _STAR_CUES[part].search(s.text.lower())), None)
        if cued is not None:
            found.append(StarPart(part, True, cued))
            continue
        similarity = vectors[: len(texts)] @ vectors[len(texts) + n]
        best = int(similarity.argmax())
        present = float(similarity[best]) >= STAR_SIMILARITY
        found.append(StarPart(part, present, sentences[best] if present else None))
    return found


def measure(text: str, sentences: list, *, topic_words, star: bool, embed) -> Measures:
    all_words = words(text)
    total = len(all_words)
    fillers = count_fillers(text)
    content = [w for w in all_words if w not in STOPWORDS]
    return Measures(
        word_count=total,
        speaking_seconds=round(total / WORDS_PER_MINUTE * 60),
        fillers=fillers,
        filler_total=sum(fillers.values()),
        doubled=doubled_words(text),
        overused=overused_words(content, total, topic_words),
        star=star_parts(sentences, embed) if star and sentences else None,
    )
