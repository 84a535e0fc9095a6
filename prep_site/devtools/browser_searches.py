"""The card browser's searches that are timed and counted at scale: each kind of
term alone, some of three terms together, and ten a person types most. A
search names its topic ``{topic}``, filled with one of the person's own; the
tags x and y are those the timing gives some cards (time_card_browser)."""

from cards.browse.table import COLUMNS

SINGLE = (
    "queue",
    'topic:"{topic}"',
    "tag:x",
    "-tag:x",
    "is:due",
    "is:new",
    "is:suspended",
    "is:leech",
    "mine",
    "starter",
    "kind:cloze",
    "added:7",
    "rated:1",
    "rated:1:1",
    "prop:r<0.8",
    "prop:d>0.7",
    "prop:s>21",
    "prop:lapses>=3",
)
TRIPLES = (
    "is:due prop:r<0.8 mine",
    'is:new topic:"{topic}" -is:suspended',
    "queue tag:x rated:30",
    "prop:d>0.7 prop:lapses>=1 -tag:y",
    "(is:due OR is:new) -is:suspended kind:basic",
    "added:30 mine -is:leech",
    "prop:s>21 rated:7:3 mine",
)
TYPICAL = (
    "is:due",
    "kafka",
    "tag:x -tag:y",
    'is:new topic:"{topic}"',
    "prop:r<0.8 is:due",
    "rated:1:1",
    "added:7 mine",
    "is:leech",
    "prop:lapses>=3 kind:cloze",
    "(is:due OR is:new) -is:suspended",
)
# The table sorted by each schedule figure, with no search.
SORTS = ("due", "-due", "stability", "-difficulty", "-reviews", "lapses")
# Every column shown: each one's figure is read.
EVERY_COLUMN = ",".join(COLUMNS)


def filled(search: str, topic: str) -> str:
    return search.replace("{topic}", topic)
