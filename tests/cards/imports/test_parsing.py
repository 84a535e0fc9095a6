"""Reading CSV, TSV and Anki's plain-text notes: real files written by the tests,
read back through cards.importing.parse_upload, and every kind of bad input."""

import pytest

from cards import imports as importing
from cards.imports import ImportRejected, parse_upload, rows
from cards.models import MAX_FACE_LENGTH, ImportJob

# Parsing files in memory: no test here opens the database (pytest-django would refuse it).
pytestmark = pytest.mark.db_independent


def parse(tmp_path, name: str, content: bytes | str, **options) -> importing.ParsedFile:
    """Write the file, then parse it the way an upload is parsed."""
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with path.open("rb") as file:
        return parse_upload(file=file, filename=name, **options)


def rejected(tmp_path, name: str, content: bytes | str, **options) -> str:
    with pytest.raises(ImportRejected) as error:
        parse(tmp_path, name, content, **options)
    return str(error.value)


# CSV and TSV ----------------------------------------------------------------------------


def test_a_header_in_any_order_names_the_columns(tmp_path):
    parsed = parse(
        tmp_path,
        "cards.csv",
        "Tags,Back,topic,FRONT\n"
        '"kafka, messaging",A partitioned log,Kafka,What is a topic?\n'
        "jvm gc,Stop the world,Java,What is a safepoint?\n",
    )
    assert parsed.source == ImportJob.Source.CSV
    assert parsed.rows == [
        [2, "What is a topic?", "A partitioned log", "Kafka", ["kafka", "messaging"]],
        [3, "What is a safepoint?", "Stop the world", "Java", ["gc", "jvm"]],
    ]
    assert parsed.errors == []


def test_synonyms_in_the_header_and_columns_left_out(tmp_path):
    parsed = parse(tmp_path, "cards.csv", "question,answer\nWhy?,Because\n", default_topic="Misc")
    assert parsed.rows == [[2, "Why?", "Because", "Misc", []]]


def test_without_a_header_the_columns_are_front_back_topic_tags(tmp_path):
    parsed = parse(
        tmp_path,
        "cards.csv",
        "What is CAP?,Consistency availability partition tolerance,Distributed,theory cap\n"
        "What is Raft?,A consensus protocol,,\n",
        default_topic="Inbox",
    )
    assert parsed.rows == [
        [
            1,
            "What is CAP?",
            "Consistency availability partition tolerance",
            "Distributed",
            ["cap", "theory"],
        ],
        [2, "What is Raft?", "A consensus protocol", "Inbox", []],
    ]


def test_tsv_with_quotes_crlf_and_a_bom(tmp_path):
    content = (
        "\ufefffront\tback\ttopic\r\n"
        'Tab\t"Contains, commas and ""quotes"""\tText\r\n'
        "Two\tLines\tText\r\n"
    ).encode()
    parsed = parse(tmp_path, "cards.tsv", content)
    assert parsed.source == ImportJob.Source.TSV
    assert parsed.rows == [
        [2, "Tab", 'Contains, commas and "quotes"', "Text", []],
        [3, "Two", "Lines", "Text", []],
    ]


def test_a_tab_separated_txt_file_is_read_as_tsv(tmp_path):
    parsed = parse(tmp_path, "cards.txt", "Front one\tBack one\tTopic\n")
    assert parsed.source == ImportJob.Source.TSV
    assert parsed.rows == [[1, "Front one", "Back one", "Topic", []]]


def test_line_numbers_count_the_lines_of_multi_line_fields(tmp_path):
    parsed = parse(
        tmp_path,
        "cards.csv",
        'front,back\n"Line one\nline two",Answer\n,Missing front\nLast,One\n',
        default_topic="T",
    )
    assert [row[0] for row in parsed.rows] == [2, 5]
    assert parsed.rows[0][1] == "Line one\nline two"
    assert parsed.errors == [[4, "the front is empty"]]


def test_blank_lines_are_skipped_and_a_cloze_front_needs_no_back(tmp_path):
    parsed = parse(
        tmp_path,
        "cards.csv",
        "front,back\n\nThe {{c1::log}} is the database,\n\n",
        default_topic="T",
    )
    assert parsed.rows == [[3, "The {{c1::log}} is the database", "", "T", []]]


# Anki's notes in plain text -------------------------------------------------------------


def test_anki_plain_text_with_separator_html_and_tags_column(tmp_path):
    parsed = parse(
        tmp_path,
        "Spanish.txt",
        "#separator:tab\n"
        "#html:false\n"
        "#tags column:3\n"
        "hola\thello\tgreetings spanish\n"
        "adiós\tgoodbye\tspanish\n"
        "{{c1::gracias}} means thanks\t\t\n",
        default_topic="Spanish",
    )
    assert parsed.source == ImportJob.Source.ANKI_TEXT
    assert parsed.rows == [
        [4, "hola", "hello", "Spanish", ["greetings", "spanish"]],
        [5, "adiós", "goodbye", "Spanish", ["spanish"]],
        [6, "{{c1::gracias}} means thanks", "", "Spanish", []],
    ]
    assert parsed.errors == []


def test_anki_plain_text_with_deck_guid_and_notetype_columns_and_extra_fields(tmp_path):
    html = {"html": True}  # #html:true: every row is an HTML card
    parsed = parse(
        tmp_path,
        "notes.txt",
        "#separator:Comma\n"
        "#html:true\n"
        "#guid column:1\n"
        "#notetype column:2\n"
        "#deck column:3\n"
        "#tags column:6\n"
        "#tags:imported\n"
        'abc123,Basic,Networking::TCP,What is a SYN?,"The <b>first</b> packet",tcp,extra field\n'
        "def456,Basic,,What is a FIN?,The last packet,,\n",
        default_topic="Networking",
    )
    assert parsed.rows == [
        [
            8,
            "What is a SYN?",
            "The <b>first</b> packet",
            "Networking::TCP",
            ["imported", "tcp"],
            html,
        ],
        [9, "What is a FIN?", "The last packet", "Networking", ["imported"], html],
    ]
    assert parsed.notes == [
        "1 note has more than two fields; only the first two (front and back) are imported."
    ]


def test_notes_prep_wrote_come_back_as_the_cards_they_were(tmp_path):
    """prep's Anki export names each note prep-md-… (a Markdown card, written as
    escaped HTML, with an apostrophe before a formula) or prep-html-…."""
    parsed = parse(
        tmp_path,
        "prep-cards-anki.txt",
        "#separator:tab\n#html:true\n#notetype column:1\n#deck column:2\n#tags column:5\n"
        "#guid column:6\n#columns:Note type\tDeck\tFront\tBack\tTags\tGUID\n"
        '"Basic"\t"\'@T"\t"a &lt;b&gt; &amp;amp;<br>*c*"\t"\'- one<br>- two"\t"\'=x y"\t'
        '"prep-md-01"\n'
        '"Basic (and reversed card)"\t"T"\t"<b>a</b>&lt;"\t"\'=b"\t""\t"prep-html-02"\n'
        '"Basic"\t"T"\t"\'=q"\t"a<br>b"\t""\t"Xy12#Abc_d"\n',
    )
    assert parsed.rows == [
        [8, "a <b> &amp;\n*c*", "- one\n- two", "@T", ["=x", "y"]],
        [9, "<b>a</b>&lt;", "=b", "T", [], {"html": True, "kind": "reversed"}],
        # Anki's own id: its fields are HTML as they are, apostrophe included.
        [10, "'=q", "a<br>b", "T", [], {"html": True}],
    ]


def test_anki_deck_header_is_the_topic_of_every_note(tmp_path):
    parsed = parse(tmp_path, "deck.txt", "#separator:semicolon\n#deck:Rust\nWhat owns?;The owner\n")
    assert parsed.rows == [[3, "What owns?", "The owner", "Rust", []]]


def test_anki_header_lines_with_bad_values_are_refused(tmp_path):
    message = rejected(tmp_path, "deck.txt", "#separator:tab\n#tags column:x\na\tb\n")
    assert message == "Line 2: “#tags column:x” is not a column number."
    message = rejected(tmp_path, "deck.txt", "#separator:wavy\na\tb\n")
    assert message == "Line 1: “#separator:wavy” is not a separator."
    message = rejected(tmp_path, "deck.txt", "#separator:tab\n#html:true\n")
    assert "no notes" in message


# Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"front,back\n"])
def test_an_empty_file_is_refused(tmp_path, content):
    message = rejected(tmp_path, "cards.csv", content)
    assert "empty" in message or "no cards" in message


def test_a_binary_file_is_refused_naming_the_line(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
    message = rejected(tmp_path, "cards.csv", png)
    assert message.startswith("Line 3 contains a NUL byte: this is a binary file")


def test_a_zip_named_csv_is_refused_with_a_hint(tmp_path):
    message = rejected(tmp_path, "deck.csv", b"PK\x03\x04\x14\x00\x00\x00\x08\x00")
    assert "binary file" in message and "must be named .apkg" in message


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(tmp_path):
    content = "front,back\nCafé,Coffee\nNaïve,Innocent\n".encode("latin-1")
    message = rejected(tmp_path, "cards.csv", content, default_topic="French")
    assert message.startswith("Line 2 is not UTF-8 text (byte 0xe9 at position 4)")
    assert "Save the file as UTF-8" in message


def test_a_header_with_an_unknown_column_is_refused(tmp_path):
    message = rejected(tmp_path, "cards.csv", "front,back,colour\nQ,A,red\n")
    assert message.startswith("Line 1: column 3 of the header has “colour”")
    assert "front, back, topic, tags and kind" in message


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("back,topic\n", "Line 1: the header has no “front” column."),
        ("front,back,Front\n", "Line 1: the header names the front column twice."),
        ("front,,back\n", "Line 1: column 2 of the header has no name"),
    ],
)
def test_headers_with_wrong_columns_are_refused(tmp_path, header, expected):
    assert rejected(tmp_path, "cards.csv", header + "a,b,c\n").startswith(expected)


def test_a_single_column_without_header_is_an_error_on_every_line(tmp_path):
    parsed = parse(tmp_path, "cards.csv", "just one\nand another\n", default_topic="T")
    assert parsed.rows == []
    no_back = (
        "the back is empty (only a cloze card, with {{c1::…}} on the front, can do without one)"
    )
    assert parsed.errors == [[1, no_back], [2, no_back]]


def test_a_line_with_too_many_fields_is_an_error(tmp_path):
    parsed = parse(
        tmp_path, "cards.csv", "front,back\nQ1,A1\nQ2,A2,surplus\nQ3,A3\n", default_topic="T"
    )
    assert [row[0] for row in parsed.rows] == [2, 4]
    assert parsed.errors == [
        [
            3,
            "the line has 3 columns; the header (line 1) has 2 — put a field with commas in "
            "double quotes",
        ]
    ]

    parsed = parse(tmp_path, "cards.csv", "Q,A,T,tags,what is this\n")
    assert parsed.errors == [
        [
            1,
            "the line has 5 columns; without a header line a line has at most 4: front, back, "
            "topic, tags — put a field with commas in double quotes",
        ]
    ]


def test_a_line_with_unquoted_commas_is_an_error_not_a_topic_and_tags(tmp_path):
    content = (
        "What is Raft?,A consensus protocol\n"
        "CAP theorem,consistency, availability, partition tolerance: pick two\n"
        "What is Paxos?,Another one\n"
    )
    parsed = parse(tmp_path, "cards.csv", content, default_topic="T")
    assert [row[0] for row in parsed.rows] == [1, 3]
    assert parsed.errors == [
        [
            2,
            "the line has 4 columns; the file's other lines have 2 — put a field with commas "
            "in double quotes",
        ]
    ]
    assert parsed.notes == []


def test_topics_and_tags_from_a_file_without_header_are_said(tmp_path):
    parsed = parse(tmp_path, "cards.csv", "Q1,A1,Kafka,queues\n", default_topic="T")
    assert parsed.rows == [[1, "Q1", "A1", "Kafka", ["queues"]]]
    assert parsed.notes == [
        "The file has no header line, so its columns were read as front, back, topic and "
        "tags, in that order."
    ]


UNCLOSED = (
    "the double quote that opens a field on this line is never closed, so the line was left "
    "out and the lines after it were read on their own — close the quote, or double a quote "
    'that is part of the text ("")'
)


@pytest.mark.parametrize("name", ["cards.csv", "cards.tsv"])
def test_an_unclosed_quote_is_an_error_of_its_line_and_the_rest_is_read(tmp_path, name):
    sep = "\t" if name.endswith(".tsv") else ","
    content = (
        f"front{sep}back\n"
        f"Q1{sep}A1\n"
        f'"Who said it?{sep}Nobody\n'
        f'Q3{sep}"A quoted\nanswer"\n'
        f"Q4{sep}A4\n"
    )
    parsed = parse(tmp_path, name, content, default_topic="T")
    assert [row[:3] for row in parsed.rows] == [
        [2, "Q1", "A1"],
        [4, "Q3", "A quoted\nanswer"],
        [6, "Q4", "A4"],
    ]
    assert parsed.errors == [[3, UNCLOSED]]

    parsed = parse(tmp_path, name, f'front{sep}back\nQ1{sep}A1\nQ2{sep}"A2\n', default_topic="T")
    assert [row[0] for row in parsed.rows] == [2]
    assert parsed.errors == [[3, UNCLOSED]]


def test_text_after_a_closing_quote_is_an_error_of_its_line(tmp_path):
    parsed = parse(tmp_path, "cards.csv", 'front,back\n"X" — who?,Y\nQ,A\n', default_topic="T")
    assert [row[0] for row in parsed.rows] == [3]
    assert parsed.errors == [
        [
            2,
            "a quoted field goes on after its closing quote — put the whole field in double "
            'quotes and double each quote inside it: """X"" — who?"',
        ]
    ]


def test_prep_csv_kind_column_and_formula_apostrophes(tmp_path):
    parsed = parse(
        tmp_path,
        "prep-cards.csv",
        "front,back,topic,tags,kind\n"
        "Q1,'- a list,Go,,basic\n"
        "hola,hello,Spanish,,reversed\n"
        "The {{c1::log}},,Kafka,,cloze\n"
        "''=1,'=2,Misc,,\n"
        "Q5,A5,Misc,,sideways\n",
    )
    assert parsed.rows == [
        [2, "Q1", "- a list", "Go", []],
        [3, "hola", "hello", "Spanish", [], {"kind": "reversed"}],
        [4, "The {{c1::log}}", "", "Kafka", []],
        [5, "'=1", "=2", "Misc", []],
    ]
    assert parsed.errors == [[6, "the kind “sideways” is not one of basic, reversed, cloze"]]


def test_a_10_mb_field_is_an_error_of_its_line_and_the_rest_is_read(tmp_path):
    huge = "x" * (10 * 1024 * 1024)
    parsed = parse(
        tmp_path, "cards.csv", f"front,back\nQ1,A1\nQ2,{huge}\nQ3,A3\n", default_topic="T"
    )
    assert [row[0] for row in parsed.rows] == [2, 4]
    assert len(parsed.errors) == 1
    line, reason = parsed.errors[0]
    assert line == 3
    assert f"at most {MAX_FACE_LENGTH}" in reason


def test_faces_longer_than_a_card_holds_are_errors(tmp_path):
    long_face = "y" * (MAX_FACE_LENGTH + 1)
    parsed = parse(
        tmp_path, "cards.csv", f"front,back\n{long_face},A\nQ,{long_face}\n", default_topic="T"
    )
    too_long = f"has {MAX_FACE_LENGTH + 1} characters; a card face holds at most {MAX_FACE_LENGTH}"
    assert parsed.errors == [[2, f"the front {too_long}"], [3, f"the back {too_long}"]]


def test_rows_without_a_usable_topic_or_with_bad_tags_are_errors(tmp_path):
    parsed = parse(
        tmp_path,
        "cards.csv",
        f"front,back,topic,tags\nQ1,A1,,\nQ2,A2,{'t' * 81},\nQ3,A3,!!!,\nQ4,A4,Fine,{'g' * 101}\n",
    )
    assert parsed.rows == []
    assert parsed.errors == [
        [2, "no topic: give the file a topic column or choose a default topic"],
        [3, "the topic name has 81 characters; the most is 80"],
        [4, "the topic name “!!!” needs at least one letter or digit"],
        [5, f"the tag “{'g' * 40}…” is longer than 100 characters"],
    ]


def test_a_line_that_cannot_be_parsed_is_an_error_of_its_line(tmp_path):
    parsed = parse(tmp_path, "cards.csv", "front,back\nQ1,A\rB\nQ2,A2\n", default_topic="T")
    assert [row[0] for row in parsed.rows] == [3]
    assert parsed.errors[0][0] == 2
    assert parsed.errors[0][1].startswith("the line cannot be read")


def test_too_many_rows_or_topics_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(rows, "MAX_ROWS", 3)
    content = "".join(f"Q{n},A{n},T\n" for n in range(4))
    assert "more than 3 rows" in rejected(tmp_path, "cards.csv", content)

    monkeypatch.setattr(rows, "MAX_ROWS", 100)
    monkeypatch.setattr(rows, "MAX_TOPICS", 2)
    content = "".join(f"Q{n},A{n},Topic {n}\n" for n in range(3))
    message = rejected(tmp_path, "cards.csv", content)
    assert message.startswith("The file names more than 2 different topics (line 3")


def test_only_the_first_errors_are_kept_but_all_are_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(rows, "MAX_STORED_ERRORS", 2)
    parsed = parse(tmp_path, "cards.csv", "a\nb\nc\nd\n", default_topic="T")
    assert [error[0] for error in parsed.errors] == [1, 2]
    assert parsed.error_count == 4
