"""The accounts app's part of a backup: the person's settings."""

from accounts.models import Profile

from .fields import Boolean, Integer, Text
from .sections import Part, Single


class Settings(Single):
    name = "settings"
    model = Profile
    fields = (Integer("new_cards_per_day"), Text("timezone"), Boolean("question_bank_seeded"))
    # The order of new cards is kept in the account alone for now: a restore
    # leaves it at the defaults.
    not_backed_up = ("id", "user", "new_card_spread", "new_card_source", "new_card_order")

    def instance(self, user) -> Profile:
        return Profile.objects.filter(user=user).first() or Profile(user=user)

    def write(self, restore, values: dict) -> None:
        """Into an empty account, the backup's settings; a merge keeps the account's."""
        if restore.merge:
            Profile.for_user(restore.user)
        else:
            Profile.objects.update_or_create(user=restore.user, defaults=values)


SETTINGS = Settings()
PART = Part(sections=(SETTINGS,))
