"""The shared starter library, kept in ``cards/starter/cards.toml``."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import Card, Topic

STARTER_FILE = Path(__file__).resolve().parent / "starter" / "cards.toml"


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@transaction.atomic
def load_starter_cards(path: Path = STARTER_FILE) -> tuple[LoadReport, LoadReport]:
    """Create or update the starter topics and cards. Running it twice writes
    nothing the second time; a card only changes when the file changed."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    topic_report, card_report = LoadReport(), LoadReport()

    topics: dict[str, Topic] = {}
    for entry in data["topics"]:
        topic = Topic.objects.filter(owner=None, slug=entry["slug"]).first()
        wanted = {"name": entry["name"], "description": entry.get("description", "")}
        if topic is None:
            topic = Topic(owner=None, slug=entry["slug"], **wanted)
            topic.full_clean()
            topic.save()
            topic_report.created += 1
        elif any(getattr(topic, k) != v for k, v in wanted.items()):
            for key, value in wanted.items():
                setattr(topic, key, value)
            topic.full_clean()
            topic.save()
            topic_report.updated += 1
        else:
            topic_report.unchanged += 1
        topics[entry["slug"]] = topic

    existing = {
        card.starter_key: card
        for card in Card.objects.filter(starter_key__isnull=False).prefetch_related("tags")
    }
    for entry in data["cards"]:
        wanted = {
            "topic": topics[entry["topic"]],
            "kind": entry.get("kind", Card.Kind.BASIC),
            "front": entry["front"].strip(),
            "back": entry.get("back", "").strip(),
        }
        tags = sorted(tag.lower() for tag in entry.get("tags", []))
        card = existing.get(entry["key"])
        if card is None:
            card = Card(owner=None, starter_key=entry["key"], **wanted)
            report_field = "created"
        elif (
            any(getattr(card, k) != v for k, v in wanted.items())
            or sorted(t.name for t in card.tags.all()) != tags
        ):
            for key, value in wanted.items():
                setattr(card, key, value)
            report_field = "updated"
        else:
            card_report.unchanged += 1
            continue
        card.full_clean()
        card.save()
        card.tags.set(tags, clear=True)
        card.sync_prompts()
        setattr(card_report, report_field, getattr(card_report, report_field) + 1)
    return topic_report, card_report
