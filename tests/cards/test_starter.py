import pytest
from django.core.management import call_command

from cards.models import Card, Prompt, Topic
from cards.starter import load_starter_cards

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
