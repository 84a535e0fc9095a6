"""Study history in an Anki collection: each card's reviews (the revlog), its
suspension and, when the collection was studied with FSRS, the memory state
and due date Anki keeps for it. Read here into row options (``history`` and
``suspended``, see rows.ROW_OPTIONS); history.py writes them."""

import json
import math
import sqlite3
from dataclasses import dataclass, field

# Revlog types: 0 learning, 1 review, 2 relearning, 3 filtered deck; 4 is a
# manual change of the due date ("Manual") and 5 a reschedule, not answers.
ANSWER_TYPES = (0, 1, 2, 3)
SUSPENDED, BURIED = -1, (-2, -3)  # card queues
MAX_DURATION_MS = 10 * 60 * 1000  # as a grade in prep counts at most
# Review times and due dates outside these years are damage, not study.
EARLIEST, LATEST = 946_684_800, 7_258_118_400  # 2000-01-01, 2200-01-01 (epoch seconds)
DAY = 86_400
# Anki's first scheduler (V1) had three buttons for cards in learning and
# relearning: its revlog's ease 1, 2, 3 there are Again, Good, Easy (Anki's
# manual, "Manual analysis" of the revlog). Reviews of cards in review had four.
V1_LEARNING_TYPES = (0, 2)
V1_LEARNING_RATINGS = {1: 1, 2: 3, 3: 4}


@dataclass
class AnkiCard:
    ordinal: int  # Anki's template (or cloze) number, from 0
    queue: int
    memory: dict | None = None  # {"s", "d", "due" (epoch seconds), "state"}
    reviews: list[list[int]] = field(default_factory=list)  # [epoch ms, rating, duration ms]


@dataclass
class History:
    """Every card of a collection by note id, and the counts the preview gives."""

    cards: dict[int, list[AnkiCard]] = field(default_factory=dict)
    studied: int = 0
    reviews: int = 0
    suspended: int = 0
    buried: int = 0
    partly_suspended: int = 0
    new: int = 0

    def options(self, note_id: int, *, cloze: bool) -> dict:
        """A note's row options: its prompts' reviews and memory state (a cloze
        card's number is Anki's from 0, a prompt's from 1), and whether it is
        suspended (every card of it suspended in Anki)."""
        cards = self.cards.get(note_id, [])
        history = [
            {
                "ordinal": card.ordinal + 1 if cloze else card.ordinal,
                "reviews": card.reviews,
                "memory": card.memory,
            }
            for card in cards
            if card.reviews
        ]
        options = {}
        if history:
            options["history"] = history
        if cards and all(card.queue == SUSPENDED for card in cards):
            options["suspended"] = True
        return options

    def count(self, options: dict) -> None:
        """Count a row that was kept, for the preview."""
        history = options.get("history") or []
        self.studied += bool(history)
        self.new += not history
        self.reviews += sum(len(entry["reviews"]) for entry in history)
        self.suspended += bool(options.get("suspended"))

    def count_queues(self, note_id: int, options: dict) -> None:
        """Count a kept row's buried cards and a suspension it could not keep."""
        queues = [card.queue for card in self.cards.get(note_id, [])]
        self.buried += any(queue in BURIED for queue in queues)
        self.partly_suspended += SUSPENDED in queues and not options.get("suspended")

    def notes(self) -> list[str]:
        """What the preview says about the history."""
        if not self.studied and not self.suspended:
            return [
                "The package holds no study history: every card arrives new. To keep it, "
                "export from Anki with “Include scheduling information” ticked."
            ]
        lines = [
            f"{_cards(self.studied)} {_arrive(self.studied)} studied, with "
            f"{self.reviews:,} review{'s' if self.reviews != 1 else ''} from Anki; "
            f"{_cards(self.new)} {_arrive(self.new)} new."
        ]
        if self.suspended:
            lines.append(
                f"{_cards(self.suspended)} {_arrive(self.suspended)} suspended, as in Anki."
            )
        if self.partly_suspended:
            lines.append(
                f"{_cards(self.partly_suspended)} with only some of "
                f"{'its' if self.partly_suspended == 1 else 'their'} Anki cards suspended "
                f"{_arrive(self.partly_suspended)} not suspended: here a card is suspended with "
                "all its directions and clozes or not at all."
            )
        if self.buried:
            lines.append(
                f"{_cards(self.buried)} buried in Anki {_arrive(self.buried)} not buried: "
                "burying lasts a day in Anki and has no match here."
            )
        return lines


def _cards(n: int) -> str:
    return f"{n:,} card{'s' if n != 1 else ''}"


def _arrive(n: int) -> str:
    return "arrives" if n == 1 else "arrive"


def _number(value) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def _memory(data, *, kind: int, due: int, crt: int) -> dict | None:
    """Anki's FSRS memory state of a card in learning, review or relearning
    (kind 1, 2, 3), with its due date: days after the collection's creation
    for a card in review (or learning over days), else epoch seconds."""
    if kind not in (1, 2, 3) or not isinstance(data, str) or '"s"' not in data:
        return None
    try:
        state = json.loads(data)
    except ValueError:
        return None
    if not isinstance(state, dict):
        return None
    stability, difficulty = _number(state.get("s")), _number(state.get("d"))
    if stability is None or difficulty is None or stability <= 0 or not 1 <= difficulty <= 10:
        return None
    if not isinstance(due, int) or not isinstance(crt, int):
        return None
    seconds = due if due > EARLIEST else crt + due * DAY
    if not EARLIEST <= seconds <= LATEST:
        return None
    return {"s": stability, "d": difficulty, "due": seconds, "state": kind}


def read_history(db: sqlite3.Connection, tables: set[str]) -> History:
    """The cards, their memory states and their reviews, by note id."""
    history = History()
    if "revlog" not in tables:
        return history
    row = db.execute("SELECT crt FROM col LIMIT 1").fetchone()
    crt = row[0] if row else 0
    by_id: dict[int, AnkiCard] = {}
    cards = db.execute(
        "SELECT id, nid, ord, type, queue, CASE WHEN odid AND odue THEN odue ELSE due END, data "
        "FROM cards ORDER BY nid, ord"
    )
    for card_id, note_id, ordinal, kind, queue, due, data in cards:
        if not isinstance(ordinal, int) or ordinal < 0:
            continue
        card = AnkiCard(
            ordinal=ordinal,
            queue=queue if isinstance(queue, int) else 0,
            memory=_memory(data, kind=kind, due=due, crt=crt),
        )
        by_id[card_id] = card
        history.cards.setdefault(note_id, []).append(card)
    placeholders = ", ".join("?" * len(ANSWER_TYPES))
    answers = f"FROM revlog WHERE ease BETWEEN 1 AND 4 AND type IN ({placeholders})"
    v1 = _first_scheduler(db, tables, answers)
    reviews = db.execute(
        f"SELECT id, cid, ease, time, type {answers} ORDER BY cid, id", ANSWER_TYPES
    )
    for moment, card_id, rating, duration, kind in reviews:
        card = by_id.get(card_id)
        if card is None or not isinstance(moment, int) or not isinstance(rating, int):
            continue
        if v1 and kind in V1_LEARNING_TYPES:
            rating = V1_LEARNING_RATINGS.get(rating)
            if rating is None:
                continue  # a fourth button V1 did not have
        if not EARLIEST <= moment // 1000 <= LATEST:
            continue
        spent = duration if isinstance(duration, int) else 0
        card.reviews.append([moment, rating, min(max(spent, 0), MAX_DURATION_MS)])
    return history


def _scheduler_version(db: sqlite3.Connection, tables: set[str]):
    """The collection's ``schedVer``: in the config table of newer collections,
    else in the JSON of col.conf. None when it is not given or not readable."""
    try:
        if "config" in tables:
            row = db.execute("SELECT val FROM config WHERE key = 'schedVer'").fetchone()
            return json.loads(row[0]) if row else None
        row = db.execute("SELECT conf FROM col LIMIT 1").fetchone()
        conf = json.loads(row[0]) if row and row[0] else {}
        return conf.get("schedVer") if isinstance(conf, dict) else None
    except (TypeError, ValueError, UnicodeDecodeError):
        return None


def _first_scheduler(db: sqlite3.Connection, tables: set[str], answers: str) -> bool:
    """Whether the collection was studied with Anki's V1 scheduler: ``schedVer``
    1, or no ``schedVer`` at all (Anki 2.0's collections, which Anki reads as
    V1) unless a learning review has a fourth button, which V1 did not have."""
    version = _scheduler_version(db, tables)
    if version is not None:
        return version == 1
    types = ", ".join(str(kind) for kind in V1_LEARNING_TYPES)
    fourth = db.execute(
        f"SELECT 1 {answers} AND ease = 4 AND type IN ({types}) LIMIT 1", ANSWER_TYPES
    )
    return fourth.fetchone() is None
