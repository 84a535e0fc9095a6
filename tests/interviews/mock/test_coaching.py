"""The coaching suggestion (interviews/mock/coaching.py) and the observable
measures (interviews/mock/measures.py), on clear examples and on the
hand-labelled set."""

import time

import pytest

from interviews.mock import coaching, measures
from interviews.models import MAX_MOCK_ANSWER_LENGTH

from .coaching_cases import CASES

pytestmark = pytest.mark.db_independent


def agreement(cases) -> tuple[int, int]:
    agreed = 0
    for case in cases:
        result = coaching.suggest(case.answer, [case.key_point], [list(case.synonyms)])
        agreed += result.points[0].covered == case.covered
    return agreed, len(cases)


def test_the_suggestion_agrees_with_the_labelled_set(record_property):
    tuned = agreement([case for case in CASES if not case.held_out])
    held = agreement([case for case in CASES if case.held_out])
    agreed, total = tuned[0] + held[0], tuned[1] + held[1]
    line = (
        f"[coaching] agreement {agreed}/{total} ({agreed / total:.0%}); tuned on "
        f"{tuned[0]}/{tuned[1]} ({tuned[0] / tuned[1]:.0%}), held out "
        f"{held[0]}/{held[1]} ({held[0] / held[1]:.0%})"
    )
    print(line)
    record_property("report", line)
    assert total >= 40 and held[1] >= total // 3
    # The figure measured when the threshold was set (38/48); a change that
    # makes the suggestion worse fails here.
    assert agreed / total >= 0.78
    assert held[0] / held[1] >= 0.75


def test_sentences_split_at_stops_line_breaks_and_bullets():
    text = "First point. Second one!\n- a bullet\n2) numbered item\n\nLast line"
    found = coaching.sentences(text)
    assert [s.text for s in found] == [
        "First point.",
        "Second one!",
        "a bullet",
        "numbered item",
        "Last line",
    ]
    assert all(text[s.start : s.end] == s.text for s in found)


def test_a_covered_key_point_names_its_sentence():
    text = "I would start with the schema. Then I'd add read replicas for the reports."
    result = coaching.suggest(text, ["Adds read replicas", "Shards by customer"])
    replicas, shards = result.points
    assert replicas.covered and replicas.sentence.index == 1
    assert replicas.sentence.text == "Then I'd add read replicas for the reports."
    assert not shards.covered
    assert result.suggested == [0]


def test_a_denied_key_point_is_not_covered():
    result = coaching.suggest("We did not write any unit tests.", ["Writes unit tests"])
    assert not result.points[0].covered


def test_a_synonym_counts_as_the_key_point():
    text = "Lookups take constant time."
    assert not coaching.suggest(text, ["O(1) access"]).points[0].covered
    assert coaching.suggest(text, ["O(1) access"], [["constant time"]]).points[0].covered


def test_an_empty_answer_gets_no_suggestion():
    result = coaching.suggest("  \n ", ["Anything"])
    assert result.empty and result.points == [] and result.measures is None


def test_a_longest_answer_is_suggested_within_a_second():
    sentence = "I would measure the latency of each request and add a cache where it helps. "
    text = (sentence * (MAX_MOCK_ANSWER_LENGTH // len(sentence)))[:MAX_MOCK_ANSWER_LENGTH]
    coaching.model()
    began = time.perf_counter()
    result = coaching.suggest(text, [f"Key point number {n}" for n in range(12)], star=True)
    assert time.perf_counter() - began < 1.0
    assert len(result.points) == 12


# Measures -------------------------------------------------------------------------------


def test_fillers_are_counted_only_as_fillers():
    text = (
        "Um, so basically I like Python. Tools like Redis help. It was, like, slow. "
        "Like, really slow. You know, it was a kind of cache. It sort of worked, uh, "
        "you know what I mean? I mean, it was actually fine."
    )
    assert measures.count_fillers(text) == {
        "um": 1,
        "uh": 1,
        "basically": 1,
        "actually": 1,
        "like": 2,
        "you know": 1,
        "sort of": 1,
        "I mean": 1,
    }


def test_word_count_speaking_time_and_repeats():
    text = "The the cache " + "database " * 5 + "is slow " * 10
    found = measures.measure(
        text, coaching.sentences(text), topic_words=[], star=False, embed=coaching.embed
    )
    assert found.word_count == 28
    assert found.speaking_seconds == 13  # 28 words at 130 a minute
    assert found.speaking_time == "0:13"
    assert "the" in found.doubled
    assert ("database", 5) in found.overused
    assert found.star is None
    on_topic = measures.measure(
        text, coaching.sentences(text), topic_words=["database"], star=False, embed=coaching.embed
    )
    assert ("database", 5) not in on_topic.overused


def test_star_parts_show_with_their_sentence():
    text = (
        "At my last job our deploys took an hour. My goal was to get them under ten "
        "minutes. So I split the test suite and ran it in parallel. As a result deploys "
        "dropped to eight minutes."
    )
    found = coaching.suggest(text, ["Speeds up deploys"], star=True).measures.star
    assert [(p.part, p.present, p.sentence.index) for p in found] == [
        ("Situation", True, 0),
        ("Task", True, 1),
        ("Action", True, 2),
        ("Result", True, 3),
    ]
    partial = coaching.suggest("I fixed the bug quickly.", ["x"], star=True).measures.star
    assert [p.part for p in partial if not p.present] == ["Situation", "Task", "Result"]
