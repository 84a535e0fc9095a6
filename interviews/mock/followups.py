"""The key points an answer missed, turned into flashcards so FSRS brings them
back: one card a key point, in the person's own topic "Mock interview follow-ups",
tagged ``mock-followup``.

A card is made once: a front already in that topic is skipped, so a second click
(or a double-submitted one) makes nothing twice. The cards of one answer are made
in one transaction, within the person's card limit, or not at all."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Profile
from cards.models import Card, Topic
from cards.services import save_card

from ..models import InterviewerQuestion, MockAnswer
from . import model_answers
from .coaching import content_words, point_text, sentences, word_overlap

TOPIC_NAME = "Mock interview follow-ups"
TOPIC_SLUG = "mock-interview-follow-ups"
TOPIC_DESCRIPTION = "Key points your mock interview answers missed, to study until they stick."
TAG = "mock-followup"
MAX_PART_SENTENCES = 2  # of the model answer, on a card's back


class FollowupsRefused(Exception):
    """No card was made; ``str(error)`` says why, for the person."""


@dataclass
class Followups:
    missed: int  # key points the answer did not cover
    made: int
    skipped: int  # already in the topic
    topic: Topic | None

    def message(self) -> str:
        if not self.missed:
            return "You covered every key point: there is nothing to make cards of."
        where = f"your topic “{self.topic.name}”"
        if not self.made:
            return (
                f"The {_points(self.skipped)} you missed already have cards in {where}; "
                "no card was made twice."
            )
        text = f"Made {_cards(self.made)} of the key points you missed, in {where}."
        if self.skipped:
            were = "was" if self.skipped == 1 else "were"
            text += f" {_cards(self.skipped).capitalize()} {were} already there, so skipped."
        return text


def _cards(n: int) -> str:
    return "one card" if n == 1 else f"{n} cards"


def _points(n: int) -> str:
    return "key point" if n == 1 else f"{n} key points"


def missed_points(answer: MockAnswer) -> list[str]:
    """The question's key points the person did not tick, in the question's order."""
    covered = set(answer.covered or [])
    return [point for n, point in enumerate(answer.question.key_points) if n not in covered]


def card_front(question: InterviewerQuestion, key_point: str) -> str:
    return f"{question.text.strip()} — what about: {key_point.strip().rstrip('.?!')}?"


def best_sentences(text: str, key_point: str) -> str:
    """The sentence(s) of ``text`` that best match the key point, by the coaching
    suggestion's sentence splitting and word matching; empty when no sentence
    shares a word with it (or every one that does denies it)."""
    point_words = content_words(point_text(key_point))
    scored = []
    for sentence in sentences(text):
        overlap, denied = word_overlap(point_words, content_words(sentence.text))
        if overlap > 0 and not denied:
            scored.append((overlap, sentence))
    if not scored:
        return ""
    best = max(overlap for overlap, _ in scored)
    chosen = [s for overlap, s in scored if overlap == best][:MAX_PART_SENTENCES]
    return " ".join(sentence.text for sentence in chosen)


def card_back(key_point: str, model_answer: str) -> str:
    """The key point, with the sentence(s) of the model answer the person sees
    (their own, if they wrote one) about it."""
    back = f"Key point to cover: {key_point.strip()}"
    part = best_sentences(model_answer, key_point)
    return f"{back}\n\nFrom the model answer: {part}" if part else back


def _followup_topic(user) -> Topic:
    """The person's follow-ups topic, made on first use, and locked: two requests
    making cards at once run one after the other."""
    mine = Topic.objects.owned_by(user)
    if not mine.filter(slug=TOPIC_SLUG).exists():
        Topic.objects.check_room(user)
        topic = Topic(owner=user, name=TOPIC_NAME, slug=TOPIC_SLUG, description=TOPIC_DESCRIPTION)
        topic.full_clean(validate_constraints=False)  # the database keeps the slug unique
        try:
            with transaction.atomic():
                topic.save()
        except IntegrityError:
            pass  # made just now by a request beside this one: locked below
    return mine.select_for_update().get(slug=TOPIC_SLUG)


@transaction.atomic
def make_followup_cards(*, user, answer: MockAnswer) -> Followups:
    """A card for each key point the scored answer missed, skipping those made before."""
    if answer.session.user_id != user.pk:
        raise FollowupsRefused("That answer is not yours.")
    if answer.scored_at is None:
        raise FollowupsRefused("Score the answer first: then the points you missed can be cards.")
    missed = missed_points(answer)
    if not missed:
        return Followups(missed=0, made=0, skipped=0, topic=None)
    try:
        topic = _followup_topic(user)
        fronts = {card_front(answer.question, point): point for point in missed}
        there = set(
            Card.objects.filter(owner=user, topic=topic, front__in=list(fronts)).values_list(
                "front", flat=True
            )
        )
        new = {front: point for front, point in fronts.items() if front not in there}
        Card.objects.check_room(user, adding=len(new))
        shown = model_answers.shown_for(user=user, question=answer.question).text if new else ""
        for front, point in new.items():
            back = card_back(point, shown)
            save_card(card=Card(owner=user, topic=topic, front=front, back=back), tags=[TAG])
    except ValidationError as error:
        raise FollowupsRefused(" ".join(error.messages) + " No card was made.") from error
    return Followups(missed=len(missed), made=len(new), skipped=len(missed) - len(new), topic=topic)


def after_scoring(*, user, answer: MockAnswer) -> str:
    """Cards of the missed key points, when the person's settings ask for them on
    scoring; what happened, in words (empty when the setting is off)."""
    if not Profile.for_user(user).followup_cards_auto or not missed_points(answer):
        return ""
    try:
        return make_followup_cards(user=user, answer=answer).message()
    except FollowupsRefused as error:
        return str(error)
