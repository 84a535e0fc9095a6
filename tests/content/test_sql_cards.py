"""Every ```sql block of the SQL starter cards runs on SQLite, and every result
table a card shows is exactly what its query returns.

A card's blocks run in order in one fresh in-memory database, so the first block
creates and fills the card's tables. The first Markdown table after a block (and
before the next block) is that block's result: its header must name the columns
of the block's last statement, and its rows must be that statement's rows, in
order, with NULL written as NULL. When that statement is an EXPLAIN QUERY PLAN,
the first ```text block after it shows the plan: one line per step, as SQLite
words it.
"""

import re
import sqlite3
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.db_independent

SQL_CARDS = Path(__file__).resolve().parents[2] / "cards" / "starter" / "sql.toml"
BLOCK = re.compile(r"^```sql\n(.*?)^```$", re.M | re.S)
TEXT = re.compile(r"^```text\n(.*?)^```$", re.M | re.S)
ROW = re.compile(r"^\|.*\|$")
CARDS = [c for c in tomllib.loads(SQL_CARDS.read_text())["cards"] if "```sql" in c["back"]]


def _statements(sql: str) -> list[str]:
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    assert not current.strip(), f"unfinished statement: {current!r}"
    return statements


def _first_table(text: str) -> list[list[str]] | None:
    lines = [line.strip() for line in text.splitlines()]
    start = next((i for i, line in enumerate(lines) if ROW.match(line)), None)
    if start is None:
        return None
    rows = []
    for line in lines[start:]:
        if not ROW.match(line):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    assert set("".join(rows[1])) <= set("-: "), "a table needs its --- line"
    return [rows[0], *rows[2:]]


def _cell(value) -> str:
    return "NULL" if value is None else str(value)


def _unquoted(cell: str) -> str:
    return cell[1:-1] if len(cell) > 1 and cell[0] == cell[-1] == "`" else cell


def test_the_sql_cards_have_blocks_to_check():
    assert len(CARDS) >= 20


@pytest.mark.parametrize("card", CARDS, ids=[c["key"] for c in CARDS])
def test_every_sql_block_runs_and_returns_the_rows_its_card_shows(card):
    back = card["back"]
    blocks = list(BLOCK.finditer(back))
    assert blocks, "a ```sql block that is not closed"
    db = sqlite3.connect(":memory:")
    checked = 0
    for i, block in enumerate(blocks):
        cursor = None
        for statement in _statements(block.group(1)):
            cursor = db.execute(statement)
        end = blocks[i + 1].start() if i + 1 < len(blocks) else len(back)
        if statement.upper().startswith("EXPLAIN QUERY PLAN"):
            shown = TEXT.search(back, block.end(), end)
            assert shown, "a query plan needs a ```text block showing it"
            assert shown.group(1).splitlines() == [row[3] for row in cursor.fetchall()]
            checked += 1
            continue
        table = _first_table(back[block.end() : end])
        if table is None:
            continue
        header, *rows = table
        assert cursor is not None and cursor.description, "a result table after no query"
        assert header == [d[0] for d in cursor.description]
        assert [[_unquoted(c) for c in row] for row in rows] == [
            [_cell(v) for v in row] for row in cursor.fetchall()
        ]
        checked += 1
    # The first block creates the tables; some later block shows what a query returns.
    assert checked or len(blocks) == 1
