from django.core.management.base import BaseCommand

from cards.starter import load_starter_cards


class Command(BaseCommand):
    help = "Load the shared starter library (topics and cards). Safe to run again."

    def handle(self, *args, **options):
        topics, cards = load_starter_cards()
        self.stdout.write(f"Starter topics: {topics}.")
        self.stdout.write(f"Starter cards: {cards}.")
