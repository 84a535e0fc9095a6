"""Reading Quizlet's export: a term and its definition on each row, with the
separators the person chose in Quizlet between them and between rows. Nothing
is quoted, so the text is taken exactly as it is (a double quote is just a
character).

With rows separated by new lines, a definition with several lines cannot be
told apart from the next row but by the term separator: a line without it
continues the definition above it (blank lines inside a definition are kept).
With any other row separator, a definition keeps its line breaks as they are.
"""

from collections.abc import Iterator

from ..models import MAX_FACE_LENGTH, ImportJob
from .rows import ImportRejected, ParsedFile
from .text import text_lines

# A row longer than a term and a definition can be: the row separator is not
# the one the file uses.
MAX_ROW_LENGTH = 2 * MAX_FACE_LENGTH + 1000


def separator_name(separator: str) -> str:
    named = {"\t": "tab", ",": "comma", ";": "semicolon", "\n": "new line"}
    return named.get(separator) or f"“{separator}”"


def parse_quizlet(file, *, term: str, row: str, default_topic: str) -> ParsedFile:
    """Every term and definition of the file, as cards in the default topic."""
    parsed = ParsedFile(source=ImportJob.Source.QUIZLET)
    lines = text_lines(file)
    entries = _lines_as_rows(lines, term) if row == "\n" else _separated_rows(lines, row)
    without_term_separator = 0
    for line, text in entries:
        front, separator, back = text.partition(term)
        if not separator:
            without_term_separator += 1
            parsed.error(
                line,
                f"there is no {separator_name(term)} between a term and its definition",
            )
            continue
        parsed.add(line, {"front": front, "back": back, "topic": default_topic, "tags": ""})
    if not parsed.rows and not parsed.error_count:
        raise ImportRejected("The file is empty: there is nothing in it to import.")
    if not parsed.rows and without_term_separator == parsed.error_count:
        raise ImportRejected(
            f"No row of the file has a {separator_name(term)} between the term and the "
            "definition. Choose the separator between term and definition that you chose in "
            "Quizlet's export; nothing was imported."
        )
    return parsed


def _lines_as_rows(lines: Iterator[str], term: str) -> Iterator[tuple[int, str]]:
    """Rows separated by new lines: a line with the term separator starts a row,
    and a line without it continues the definition of the row above."""
    start, row = 0, []
    for number, line in enumerate(lines, start=1):
        line = line.removesuffix("\n").removesuffix("\r")
        if term in line:
            if row:
                yield start, "\n".join(row)
            start, row = number, [line]
        elif row:
            row.append(line)
        elif line.strip():  # nothing above it to continue
            yield number, line
    if row:
        yield start, "\n".join(row)


def _separated_rows(lines: Iterator[str], row: str) -> Iterator[tuple[int, str]]:
    """Rows separated by ``row``, which may fall anywhere in a line; line breaks
    are part of the text. The number is the line where a row's text starts."""
    buffer, line = "", 1  # line: where the buffer starts
    for text in lines:
        search_from = max(0, len(buffer) - len(row) + 1)
        buffer += text.replace("\r\n", "\n")
        while (at := buffer.find(row, search_from)) != -1:
            yield from _row_at(line, buffer[:at])
            line += buffer[: at + len(row)].count("\n")
            buffer, search_from = buffer[at + len(row) :], 0
        if len(buffer) > MAX_ROW_LENGTH:
            raise ImportRejected(
                f"Line {line}: there is no {separator_name(row)} between rows in the "
                f"{MAX_ROW_LENGTH:,} characters from here, more than a term and a definition "
                "hold. Choose the separator between rows that you chose in Quizlet's export; "
                "nothing was imported."
            )
    yield from _row_at(line, buffer)


def _row_at(line: int, text: str) -> Iterator[tuple[int, str]]:
    if text.strip():
        yield line + text[: len(text) - len(text.lstrip())].count("\n"), text
