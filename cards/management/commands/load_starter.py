from django.core.management.base import BaseCommand

from cards.starter import load_starter_cards
from interviews.starter import load_starter_questions


class Command(BaseCommand):
    help = "Load the shared starter library: cards, questions to ask, interviewer questions."

    def handle(self, *args, **options):
        topics, cards = load_starter_cards()
        to_ask, interviewer = load_starter_questions()
        self.stdout.write(f"Starter topics: {topics}.")
        self.stdout.write(f"Starter questions to ask: {to_ask}.")
        self.stdout.write(f"Starter interviewer questions: {interviewer}.")
        self.stdout.write(f"Starter cards: {cards}.")
