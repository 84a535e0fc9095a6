"""Each filter of the search against the real database: the cards it should
find and none it should not, never another person's."""

from datetime import timedelta

import pytest

from accounts.models import Profile
from cards.browse.terms import QueryError
from cards.leeches import LEECH_LAPSES
from cards.models import Card
from tests.factories import grade_card, make_card

from .conftest import NOW, found, studied

pytestmark = pytest.mark.django_db


def names(fronts, *keys) -> set[str]:
    return {fronts[key] for key in keys}


def test_an_empty_search_finds_every_card_the_person_may_read(user, fronts):
    assert found(user, "") == names(
        fronts, "consumer", "cap", "partitions", "redis", "consensus", "parked"
    )


def test_free_words_and_phrases(user, fronts):
    assert found(user, "kafka") == names(fronts, "consumer", "partitions")
    assert found(user, "kaf ordered") == names(fronts, "partitions")
    assert found(user, '"consumer groups"') == names(fronts, "consumer")
    assert found(user, "kafka -consumer") == names(fronts, "partitions")
    assert found(user, "redis OR raft") == names(fronts, "redis", "consensus")
    assert found(user, "partitions " * 12 + "ordered") == names(fronts, "partitions")


def test_every_word_counts_past_the_eighth(user, library):
    counting = "one two three four five six seven eight nine ten"
    make_card(library["partitions"].topic, user, front=counting)
    assert found(user, counting) == {counting}
    assert found(user, counting.replace("ten", "eleven")) == set()


def test_topic_by_name_in_any_case_or_by_its_start(user, fronts):
    assert found(user, 'topic:"system design"') == names(fronts, "consumer", "cap")
    assert found(user, "topic:SYS*") == names(fronts, "consumer", "cap")
    assert found(user, "topic:Streams") == names(
        fronts, "partitions", "redis", "consensus", "parked"
    )
    assert found(user, "topic:Stream") == set()


def test_tags_by_their_exact_spelling(user, fronts):
    assert found(user, "tag:kafka") == names(fronts, "consumer", "partitions")
    assert found(user, "tag:Slow") == names(fronts, "partitions")
    assert found(user, "tag:slow") == set()
    assert found(user, "tag:Sl*") == names(fronts, "partitions")
    assert found(user, "tag:sl*") == set()
    assert found(user, "tag:ka*") == names(fronts, "consumer", "partitions")
    assert found(user, "-tag:kafka") == names(fronts, "cap", "redis", "consensus", "parked")


def test_owner_kind_and_suspension(user, fronts):
    assert found(user, "mine") == names(fronts, "partitions", "redis", "consensus", "parked")
    assert found(user, "starter") == names(fronts, "consumer", "cap")
    assert found(user, "kind:reversed OR kind:cloze") == names(fronts, "redis", "consensus")
    assert found(user, "is:suspended") == names(fronts, "parked")
    assert found(user, "mine -is:suspended -kind:basic") == names(fronts, "redis", "consensus")


def test_due_and_new_are_each_prompt_of_the_person(user, other_user, library, fronts):
    studied(user, library["cap"], due=NOW - timedelta(minutes=1))
    studied(user, library["partitions"])  # due in three days
    studied(user, library["redis"], ordinal=0, due=NOW - timedelta(days=1))
    studied(user, library["consensus"], ordinal=1)
    studied(user, library["consensus"], ordinal=2)
    studied(other_user, library["consumer"], due=NOW - timedelta(days=1))
    library["parked"].prompts.get()  # never studied, and suspended
    assert found(user, "is:due") == names(fronts, "cap", "redis")
    # The reverse of the redis card was never studied; Mallory's progress is hers.
    assert found(user, "is:new") == names(fronts, "consumer", "redis", "parked")
    assert found(user, "is:due is:new") == names(fronts, "redis")
    assert found(user, "-is:new") == names(fronts, "cap", "partitions", "consensus")
    assert found(other_user, "is:due") == names(fronts, "consumer")


def test_a_suspended_prompt_is_not_due(user, library, fronts):
    card = library["partitions"]
    studied(user, card, due=NOW - timedelta(days=1))
    assert found(user, "is:due") == names(fronts, "partitions")
    card.suspended = True
    card.save()
    assert found(user, "is:due") == set()
    assert found(user, "is:suspended") == names(fronts, "partitions", "parked")


def test_leeches_are_those_of_the_progress_page(user, other_user, library, fronts):
    library["redis"].tags.add("leech")
    studied(user, library["cap"], lapses=LEECH_LAPSES)
    studied(user, library["consumer"], lapses=LEECH_LAPSES - 1)
    studied(other_user, library["consumer"], lapses=LEECH_LAPSES + 3)
    assert found(user, "is:leech") == names(fronts, "redis", "cap")
    assert found(other_user, "is:leech") == names(fronts, "secret", "consumer")


def test_added_counts_the_persons_days(user, library, fronts):
    # Kiritimati is 14 hours ahead: NOW (12:00 UTC) is 02:00 there, on the 11th.
    Profile.objects.filter(user=user).update(timezone="Pacific/Kiritimati")
    at = {
        "partitions": NOW - timedelta(hours=1),  # the 11th there
        "redis": NOW - timedelta(hours=3),  # 23:00 on the 10th there
        "consensus": NOW - timedelta(days=6, hours=3),  # the 4th there
    }
    for name, moment in at.items():
        Card.objects.filter(pk=library[name].pk).update(created_at=moment)
    Card.objects.exclude(pk__in=[library[name].pk for name in at]).update(
        created_at=NOW - timedelta(days=60)
    )
    assert found(user, "added:1") == names(fronts, "partitions")
    assert found(user, "added:2") == names(fronts, "partitions", "redis")
    assert found(user, "added:7") == names(fronts, "partitions", "redis")
    assert found(user, "added:8") == names(fronts, "partitions", "redis", "consensus")
    Profile.objects.filter(user=user).update(timezone="UTC")
    assert found(user, "added:1") == names(fronts, "partitions", "redis")


def test_rated_counts_days_and_grades(user, other_user, library, fronts):
    grade_card(user, library["cap"], 1, NOW - timedelta(hours=2))  # Again today
    grade_card(user, library["partitions"], 3, NOW - timedelta(hours=13))  # Good yesterday
    grade_card(user, library["parked"], 1, NOW - timedelta(days=3))
    grade_card(other_user, library["consumer"], 1, NOW - timedelta(hours=1))
    assert found(user, "rated:1") == names(fronts, "cap")
    assert found(user, "rated:1:1") == names(fronts, "cap")
    assert found(user, "rated:2") == names(fronts, "cap", "partitions")
    assert found(user, "rated:2:3") == names(fronts, "partitions")
    assert found(user, "rated:4:1") == names(fronts, "cap", "parked")
    assert found(user, "rated:30:4") == set()
    assert found(other_user, "rated:1:1") == names(fronts, "consumer")


def test_properties_of_any_prompt(user, other_user, library, fronts):
    studied(user, library["cap"], stability=30.0, difficulty=8.5, lapses=3, reps=9)
    studied(user, library["redis"], ordinal=1, stability=2.0, difficulty=2.0, lapses=0, reps=2)
    studied(user, library["partitions"], stability=21.0, difficulty=5.5, lapses=1, reps=4)
    studied(other_user, library["consumer"], stability=90.0, difficulty=9.9, lapses=7, reps=20)
    assert found(user, "prop:s>21") == names(fronts, "cap")
    assert found(user, "prop:s>=21") == names(fronts, "cap", "partitions")
    assert found(user, "prop:s=21") == names(fronts, "partitions")
    assert found(user, "prop:s!=21") == names(fronts, "cap", "redis")
    # prop:d is read from 0 to 1, FSRS's 1 to 10: 0.7 is a difficulty of 7.3.
    assert found(user, "prop:d>0.7") == names(fronts, "cap")
    assert found(user, "prop:d<=0.5") == names(fronts, "redis", "partitions")
    assert found(user, "prop:lapses>=3") == names(fronts, "cap")
    assert found(user, "prop:lapses<1") == names(fronts, "redis")
    assert found(user, "prop:reps>3 prop:reps<9") == names(fronts, "partitions")
    # A property is of the prompts studied: never studied is neither < nor >.
    assert found(user, "prop:reps>=0") == names(fronts, "cap", "redis", "partitions")


def test_another_persons_cards_are_never_found(user, other_user, library, fronts):
    studied(other_user, library["secret"], due=NOW - timedelta(days=1), lapses=9)
    mine = found(user, "")
    searches = [
        "kafka",
        "secret",
        "-kafka",
        "tag:kafka",
        "tag:leech",
        "-tag:kafka",
        "is:due OR is:new OR is:leech",
        "-is:due",
        "-mine",
        "-starter",
        'topic:"System design"',
        "kind:basic",
        "prop:lapses>1 OR -prop:lapses>1",
        "prop:r<1 OR -prop:r<1",
        "added:3650 OR -added:1",
        "-(mine OR starter)",
    ]
    for search in searches:
        assert found(user, search) <= mine, search
    assert found(user, "-(mine OR starter)") == set()
    assert found(other_user, "secret is:due is:leech") == names(fronts, "secret")


def test_a_search_it_cannot_read_is_an_error_before_any_query(
    user, library, django_assert_num_queries
):
    with django_assert_num_queries(0), pytest.raises(QueryError) as caught:
        found(user, "kafka (is:due")
    assert caught.value.message == "The “(” at position 7 is never closed"
