"""What a person keeps of the card browser, in their backup: the starter cards
they hid (its bulk delete), each by the card's starter key, as every reference
to the starter library is, so a restore on another server hides the same cards;
and their saved searches."""

from accounts.backup.fields import STARTER, Ref, Text, When, problem
from accounts.backup.sections import Section

from .models import HiddenCard, Progress, SavedSearch


class HiddenCards(Section):
    name, model, one = "hidden_cards", HiddenCard, "a hidden starter card"
    fields = (Ref("card", to="cards"), When("hidden_at"))
    since = 7
    match = ("card",)
    not_backed_up = ("id", "user")

    def rows(self, user):
        return HiddenCard.objects.filter(user=user).order_by("pk")

    def check(self, restore, checked, row, seen):
        card = checked.values["card"]
        if not card.startswith(STARTER):
            raise problem(row.place("card"), "only starter cards are hidden")
        if card in seen:
            raise problem(row.place("card"), f"hides the card “{card}” twice")
        seen.add(card)

    def write(self, restore, checked):
        cards = restore.sections["cards"]
        existing = set(
            HiddenCard.objects.filter(user=restore.user).values_list("card_id", flat=True)
        )
        new = []
        for each in checked:
            each.row.card_id = cards.pk_of(restore, each.values["card"])
            if each.row.card_id in existing:
                restore.report.kept[self.name] += 1
                continue
            each.row.user = restore.user
            new.append(each.row)
        HiddenCard.objects.bulk_create(new)
        # Their progress rows are left out of the due queries, as hide.py does.
        hidden = [row.card_id for row in new]
        Progress.objects.filter(user=restore.user, card_id__in=hidden).update(suspended=True)
        restore.report.added[self.name] += len(new)


class SavedSearches(Section):
    name, model, one = "saved_searches", SavedSearch, "a saved search"
    fields = (Text("name"), Text("text"), When("created_at"))
    match = ("name",)
    not_backed_up = ("id", "user")
    since = 7

    def rows(self, user):
        return SavedSearch.objects.filter(user=user).order_by("pk")

    def write(self, restore, checked):
        # Names are told apart in any case, as the person's list does.
        have = {row.name.lower() for row in self.rows(restore.user)}
        new = []
        for each in checked:
            if each.row.name.lower() in have:
                restore.report.kept[self.name] += 1
                continue
            have.add(each.row.name.lower())
            each.row.user = restore.user
            new.append(each.row)
        self.create(new)
        restore.report.added[self.name] += len(new)
