"""The signed-in person, kept in the cache every worker shares, so that a page
costs no query to know who asks.

Django loads the person named by the session on every request. ``PersonBackend``
is Django's ModelBackend with that load kept in the cache (``person:<id>``),
for at most ``PERSON_SECONDS``. Every save or deletion of a person forgets the
kept copy at once and again when the transaction commits (a request that read
the old row meanwhile may have kept it). A new password saved is a new session
hash, so Django still ends every other session of a person who changes their
password; a deleted person is found by nobody, so their sessions name no one.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from prep_site.figures import forget

PERSON_SECONDS = 300


def person_key(user_id) -> str:
    return f"person:{user_id}"


class PersonBackend(ModelBackend):
    """Logs in as ModelBackend does; finds the person of a session in the cache."""

    def get_user(self, user_id):
        key = person_key(user_id)
        user = cache.get(key)
        if user is None:
            try:
                user = get_user_model()._default_manager.get(pk=user_id)
            except (get_user_model().DoesNotExist, ValueError):
                return None
            cache.set(key, user, PERSON_SECONDS)
        return user if self.user_can_authenticate(user) else None


def forget_person(user_id) -> None:
    """Drop the kept copy of a person now and once their transaction commits."""
    forget(person_key(user_id))


def person_changed(sender, instance, **kwargs) -> None:
    """post_save and post_delete of the user model."""
    forget_person(instance.pk)
