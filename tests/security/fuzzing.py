"""What the fuzz tests throw: Hypothesis strategies for tricky text, valid
values mixed with junk, and picks among a person's own and others' objects.
PREP_FUZZ_EXAMPLES sets the number of examples per test (default 30)."""

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.security.payloads import PAYLOADS

EXAMPLES = int(os.environ.get("PREP_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis folder in the tree; a failure prints its example
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# Strategies ---------------------------------------------------------------------------------

TRICKY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00" * 100,
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",  # RTL text
    "\u200b\u200c\u200d\ufeff",  # zero-width characters and a BOM
    "👩‍👩‍👧‍👦" * 30,
    "🙂" * 5001,
    "é" * 10_001,
    "x" * 10_001,
    "Z̴̡̢̛͓̈́a̸͖̓l̵̨̈g̴̙̈́o̸͚͛" * 20,
    "\r\n" * 300,
    "\t\x0b\x0c\x1b[31m\x7f",
    "' OR 1=1 --",
    '"; DROP TABLE cards_card; --',
    "%s %d %n {0} {} ${x} {{ x }} {% debug %}",
    "{{c1::x}}",
    "{{c1::}}",
    "{{c0::x}} {{c99999999999999999999::y}}",
    "$$\\frac{1}{0}$$ \\(x\\)",
    "9" * 400,
    "-1",
    "1e309",
    "NaN",
    "0x10",
    "１２",  # full-width digits
    "٣",  # Arabic-Indic digit
    "2026-02-30T25:61",
    "Europe/Nowhere",
    "../../../etc/passwd",
    *PAYLOADS[:20],
]
WEIRD_ALPHABET = list("\x00\x01\x1f\x7f\u202e\u200f\u0645\u05d0🙂\r\n\t <>&\"'{}:c1$\\`[]()!#*_~|")


def with_surrogates(draw_text: str, positions: list[int]) -> str:
    chars = list(draw_text)
    for offset, position in enumerate(positions):
        chars.insert(position % (len(chars) + 1), chr(0xD800 + offset % 0x800))
    return "".join(chars)


normal_text = st.one_of(
    st.text(max_size=200),
    st.sampled_from(TRICKY),
    st.text(alphabet=WEIRD_ALPHABET, max_size=200),
    st.binary(max_size=200),  # raw bytes: mostly invalid UTF-8
    st.builds(with_surrogates, st.text(max_size=50), st.lists(st.integers(0, 60), max_size=3)),
)
# Now and then, a string of up to a megabyte.
huge_text = st.builds(
    lambda chunk, times: (chunk * times)[:1_000_000],
    st.text(min_size=1, max_size=4),
    st.integers(1_000, 250_000),
)
text = st.integers(0, 24).flatmap(lambda n: huge_text if n == 0 else normal_text)
integers = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["0", "1", "2", "3", "4", "5", "-1", "32767", "32768", "2147483648"]),
)


def sometimes(*valid, junk=text):
    """A valid value three times in four, otherwise junk or nothing at all."""
    valid_values = st.one_of(*valid)
    return st.integers(0, 7).flatmap(
        lambda n: valid_values if n < 6 else (st.none() if n == 6 else junk)
    )


def choice(values):
    return sometimes(st.sampled_from([str(v) for v in values]))


def many(*valid):
    return st.one_of(
        st.lists(sometimes(*valid), max_size=4), st.none(), text.map(lambda value: [value])
    )


checkbox = st.sampled_from([None, "on", "true", "", "off", "0", "\x00"])
htmx = st.booleans()


class Pick(int):
    """The n-th object of a list that is only known when the test runs (strategies
    must not depend on what earlier examples wrote)."""


pick = st.integers(0, 50).map(Pick)


def resolve(value, objects):
    """A Pick becomes the id of one of ``objects`` (or a missing id when there is none);
    anything else is sent as it is; lists are resolved item by item."""
    if isinstance(value, list):
        return [resolve(item, objects) for item in value]
    if isinstance(value, Pick):
        objects = list(objects)
        return str(objects[value % len(objects)].pk) if objects else "999999"
    return value
