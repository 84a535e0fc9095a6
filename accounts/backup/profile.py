"""The accounts app's part of a backup: the person's settings."""

from accounts.models import Profile

from .fields import Boolean, Integer, Text
from .sections import Part, Single

# The order of new cards, in a backup from format 3 on; an older file restores
# the defaults.
NEW_CARD_ORDER = ("new_card_spread", "new_card_source", "new_card_order")
# Cards of missed key points made on scoring, from format 4 on.
FOLLOWUP_CARDS = ("followup_cards_auto",)


class Settings(Single):
    name = "settings"
    model = Profile
    fields = (
        Integer("new_cards_per_day"),
        Text("timezone"),
        Boolean("question_bank_seeded"),
        *(Text(name) for name in NEW_CARD_ORDER),
        *(Boolean(name) for name in FOLLOWUP_CARDS),
    )
    # The daily e-mail is consent given by the account that receives it, for its own
    # address: a restore (perhaps into another account) never turns it on.
    not_backed_up = ("id", "user", "daily_email", "daily_email_hour", "daily_email_sent_on")

    def instance(self, user) -> Profile:
        return Profile.objects.filter(user=user).first() or Profile(user=user)

    def file_keys(self, version):
        newer = (NEW_CARD_ORDER if version < 3 else ()) + (FOLLOWUP_CARDS if version < 4 else ())
        return tuple(key for key in self.keys if key not in newer)

    def write(self, restore, values: dict) -> None:
        """Into an empty account, the backup's settings; a merge keeps the account's."""
        if restore.merge:
            Profile.for_user(restore.user)
        else:
            Profile.objects.update_or_create(user=restore.user, defaults=values)


SETTINGS = Settings()
PART = Part(sections=(SETTINGS,))
