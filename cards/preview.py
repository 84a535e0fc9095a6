"""What the card editor shows beside its fields: the card as it will be studied,
prompt by prompt, and another card of its topic with the same front, if any."""

from dataclasses import dataclass

from .models import Card, Prompt


@dataclass(frozen=True)
class CardPreview:
    card: Card
    prompts: list[Prompt]
    same_front: Card | None  # one the person may read, in the same topic


def preview_card(*, card: Card, reader) -> CardPreview | None:
    """``card`` as typed (not saved), its prompts made in memory, and (in one
    query) a card ``reader`` may read in its topic with the same front. None
    while the front is empty: there is nothing to show yet."""
    if not card.front.strip():
        return None
    others = Card.objects.visible_to(reader).filter(topic=card.topic_id)
    if card.pk is not None:
        others = others.exclude(pk=card.pk)
    same_front = others.with_front(card.front).only("pk", "front").order_by("pk").first()
    return CardPreview(card=card, prompts=card.unsaved_prompts(), same_front=same_front)
