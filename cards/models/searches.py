"""Searches of the card browser a person keeps under a name, to run again from
the navigation."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

MAX_SEARCH_NAME = 60
# As many as fit in a menu: a person keeps a handful, not hundreds.
MAX_SAVED_SEARCHES = 50


class SavedSearch(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=MAX_SEARCH_NAME)
    text = models.CharField(max_length=500)  # the browser's search (browse.syntax.MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint("user", Lower("name"), name="saved_search_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    def get_absolute_url(self) -> str:
        return f"{reverse('cards:card_browser')}?{urlencode({'q': self.text})}"
