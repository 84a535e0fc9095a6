"""The shared starter library, kept in ``cards/starter/*.toml`` (a file a topic)."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import Card, Topic

STARTER_DIR = Path(__file__).resolve().parent / "starter"


def read_entries(directory: Path, *tables: str) -> dict[str, list[dict]]:
    """The entries of ``tables`` across every ``*.toml`` file of ``directory``, in
    file-name order. A key used twice, in one file or two, is refused: it names
    one row in the database."""
    entries: dict[str, list[dict]] = {table: [] for table in tables}
    for path in sorted(directory.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for table in tables:
            entries[table] += data.get(table, [])
    for table, rows in entries.items():
        keys = [row.get("key", row.get("slug")) for row in rows]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise ValueError(f"{directory}: {table} named twice: {', '.join(repeated)}")
    return entries


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return f"{text}, {self.retired} retired" if self.retired else text


@transaction.atomic
def load_starter_cards(directory: Path = STARTER_DIR) -> tuple[LoadReport, LoadReport]:
    """Create or update the starter topics and cards. Running it twice writes
    nothing the second time; a card only changes when the file changed.

    A card is matched by its key, so a changed text updates it in place and
    everyone's schedule on it stays. A card whose key left the files is
    retired: suspended, so no one is shown it again, and kept with everyone's
    history on it (a key that comes back brings its card back)."""
    data = read_entries(directory, "topics", "cards")
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
            "suspended": False,
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
        if report_field == "created":
            card.tags.add(*tags)
        else:
            card.tags.set(tags, clear=True)
        card.sync_prompts()
        setattr(card_report, report_field, getattr(card_report, report_field) + 1)
    keys = {entry["key"] for entry in data["cards"]}
    for card in existing.values():
        if card.starter_key not in keys and not card.suspended:
            card.suspended = True
            card.save(update_fields=["suspended", "updated_at"])  # and its progress rows
            card_report.retired += 1
    return topic_report, card_report
