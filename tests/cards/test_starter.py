import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cards.models import Card, Progress, Prompt, ReviewLog, Topic
from cards.services import studiable_prompts
from cards.starter import load_starter_cards
from tests.factories import grade_card

pytestmark = pytest.mark.django_db

# Every study item of the notes the library grew from, as words a card about it must use.
COVERAGE = {
    "event bus / Kafka": ["kafka"],
    "polling": ["long polling"],
    "WebSockets": ["websocket"],
    "webhooks": ["webhook"],
    "sharding": ["shard key"],
    "Redis": ["redis"],
    "Spark": ["spark"],
    "redundancy and failover": ["failover", "redundan"],
    "gradient descent": ["gradient descent"],
    "bias/variance": ["bias", "variance"],
    "over/underfitting": ["overfitting", "underfitting"],
    "learning without labels": ["unsupervised"],
    "confusion matrix": ["confusion matrix"],
    "metrics": ["accuracy", "precision", "recall", "f1"],
    "outliers vs anomalies": ["outlier", "anomal"],
    "k-nearest neighbours": ["nearest neighbo"],
    "grid search": ["grid search"],
    "decision trees vs neural networks": ["decision tree", "neural network"],
    "PEP 8": ["pep 8"],
    "behavioral answers": ["star"],
}


def test_starter_library_is_big_enough_and_covers_the_notes():
    load_starter_cards()
    cards = Card.objects.filter(owner=None)
    assert cards.count() >= 80
    assert set(Topic.objects.filter(owner=None).values_list("slug", flat=True)) >= {
        "system-design",
        "machine-learning",
        "behavioral",
        "python",
    }
    text = " ".join(f"{c.front} {c.back}".lower() for c in cards)
    missing = [item for item, words in COVERAGE.items() if not all(w in text for w in words)]
    assert missing == []


def test_no_labels_means_unsupervised_learning():
    """The notes said 'supervised'; the shipped card must not repeat that."""
    load_starter_cards()
    label_cards = [
        c
        for c in Card.objects.filter(owner=None)
        if "no labels" in c.front.lower()
        or "without labels" in c.front.lower()
        or "unlabel" in c.front.lower()
    ]
    assert label_cards
    assert any("unsupervised" in c.back.lower() for c in label_cards)


def test_every_starter_card_has_its_prompts_and_renders():
    load_starter_cards()
    for card in Card.objects.filter(owner=None):
        assert card.prompts.count() == len(card.prompt_ordinals())
        for prompt in card.prompts.all():
            assert prompt.question_html().strip()
            assert prompt.answer_html().strip()


def test_loading_twice_changes_nothing(capsys):
    call_command("load_starter")
    before = list(Card.objects.values_list("pk", "updated_at").order_by("pk"))
    prompts = Prompt.objects.count()
    call_command("load_starter")
    out = capsys.readouterr().out
    assert "0 created, 0 updated" in out.splitlines()[-1]
    assert list(Card.objects.values_list("pk", "updated_at").order_by("pk")) == before
    assert Prompt.objects.count() == prompts


def test_a_changed_starter_card_is_updated_in_place(tmp_path):
    source = tmp_path / "cards.toml"  # one file of a folder
    source.write_text(
        '[[topics]]\nslug = "python"\nname = "Python"\n\n'
        '[[cards]]\nkey = "py-x"\ntopic = "python"\nfront = "Q?"\nback = "A"\ntags = ["a"]\n'
    )
    load_starter_cards(tmp_path)
    card = Card.objects.get(starter_key="py-x")
    source.write_text(source.read_text().replace('back = "A"', 'back = "B"'))
    topics, cards = load_starter_cards(tmp_path)
    assert (cards.created, cards.updated) == (0, 1)
    assert Card.objects.get(pk=card.pk).back == "B"


LIBRARY = """
[[topics]]
slug = "python"
name = "Python"

[[cards]]
key = "py-kept"
topic = "python"
front = "What does a list comprehension build?"
back = "A new list."

[[cards]]
key = "py-dropped"
topic = "python"
front = "What does a generator expression build?"
back = "A lazy iterator."

[[cards]]
key = "py-unseen"
topic = "python"
front = "What does a set comprehension build?"
back = "A new set."
"""


def test_an_upgraded_library_keeps_everyones_schedule_and_retires_removed_cards(
    tmp_path, client, user
):
    source = tmp_path / "python.toml"
    source.write_text(LIBRARY)
    load_starter_cards(tmp_path)
    kept, dropped = (Card.objects.get(starter_key=key) for key in ("py-kept", "py-dropped"))
    now = timezone.now()
    before = {card.pk: grade_card(user, card, 3, now) for card in (kept, dropped)}

    # The next release rewords one card and leaves out two.
    upgraded = LIBRARY.replace("A new list.", "A new list, built eagerly.")
    upgraded = upgraded[: upgraded.index('[[cards]]\nkey = "py-dropped"')]
    source.write_text(upgraded)
    _topics, cards = load_starter_cards(tmp_path)
    assert (cards.updated, cards.retired, cards.created) == (1, 2, 0)

    # The reworded card is the same card, on the same schedule.
    after = Progress.objects.get(user=user, card=kept)
    assert Card.objects.get(pk=kept.pk).back == "A new list, built eagerly."
    assert (after.pk, after.due, after.stability, after.reps) == (
        before[kept.pk].pk,
        before[kept.pk].due,
        before[kept.pk].stability,
        before[kept.pk].reps,
    )
    # The removed card stays, with its history, suspended for the one who studied it.
    retired = Progress.objects.get(user=user, card=dropped)
    assert retired.suspended and retired.reps == before[dropped.pk].reps
    assert ReviewLog.objects.filter(user=user, card=dropped).count() == 1
    # Neither removed card is offered to study any more; the kept one is.
    topic = kept.topic
    offered = set(
        studiable_prompts(user_id=user.pk, topic_ids=[topic.pk]).values_list(
            "card__starter_key", flat=True
        )
    )
    assert offered == {"py-kept"}
    client.force_login(user)
    page = client.get(reverse("cards:topic_detail", args=[topic.pk])).content.decode()
    assert "What does a list comprehension build?" in page

    # Loading the same files again retires nothing twice; a key that comes back
    # brings its card back, history and all.
    assert load_starter_cards(tmp_path)[1].retired == 0
    source.write_text(LIBRARY)
    _topics, cards = load_starter_cards(tmp_path)
    assert cards.updated == 3
    assert not Progress.objects.get(user=user, card=dropped).suspended
