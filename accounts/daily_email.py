"""The daily e-mail: once a day, at the hour each person chose in their own time
zone, how many cards are due, how many new cards wait, and their next
interview with its predicted recall. ``send_due`` runs every hour (a django-q
schedule); each person's ``daily_email_sent_on`` is claimed before the e-mail
leaves, so a second run or a retry the same day sends nothing twice."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cards import services as card_services
from cards.models import Progress
from cards.study.new_cards import new_today
from interviews.models import Interview
from interviews.recall import Recall, recall_for

from .models import Profile

logger = logging.getLogger(__name__)

BATCH = 200
UNSUBSCRIBE_SALT = "accounts.daily_email.unsubscribe"
# No time zone is more than 14 hours ahead of UTC: nobody's local day is later.
AHEAD = timedelta(hours=14)


@dataclass
class Digest:
    profile: Profile
    due: int
    new: int
    recall: Recall | None
    unsubscribe_url: str


def unsubscribe_token(user_id: int) -> str:
    """A signed token naming the person; it does not expire, so an old e-mail's
    link still works."""
    return signing.dumps(user_id, salt=UNSUBSCRIBE_SALT)


def user_of_token(token: str) -> int | None:
    """The person a token names, or None when it is bad or tampered with."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe(user_id: int) -> None:
    Profile.objects.filter(user_id=user_id).update(daily_email=False)


def digest_for(profile: Profile, *, now: datetime) -> Digest:
    """The counts and the next interview, in nine queries whatever the person has."""
    user, zone = profile.user, profile.zone
    tomorrow = card_services.start_of_day(now, zone) + timedelta(days=1)
    due = Progress.objects.filter(user=user, due__lt=tomorrow, suspended=False).count()
    # New cards today: what the daily limit leaves, of the prompts never studied.
    prompts = sum(card_services.studiable_per_topic(user, Sum("prompt_count")).values())
    studied = Progress.objects.filter(user=user, suspended=False).count()
    introduced = new_today(user_id=user.pk, since=card_services.start_of_day(now, zone)).total
    new = min(max(prompts - studied, 0), max(profile.new_cards_per_day - introduced, 0))
    interview = Interview.objects.owned_by(user).upcoming().prefetch_related("topics").first()
    recall = None
    if interview:
        recall = recall_for(user=user, interviews=[interview], now=now).get(interview.pk)
    path = reverse("accounts:unsubscribe", args=[unsubscribe_token(user.pk)])
    return Digest(
        profile=profile,
        due=due,
        new=new,
        recall=recall,
        unsubscribe_url=settings.SITE_URL.rstrip("/") + path,
    )


def message_for(digest: Digest) -> EmailMessage:
    profile = digest.profile
    body = render_to_string(
        "accounts/daily_email.txt",
        {"digest": digest, "profile": profile, "site_url": settings.SITE_URL.rstrip("/")},
    )
    return EmailMessage(
        subject=f"Today: {digest.due} due, {digest.new} new",
        body=body,
        to=[profile.user.email],
        headers={
            "List-Unsubscribe": f"<{digest.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _is_time(profile: Profile, now: datetime) -> bool:
    local = now.astimezone(profile.zone)
    return local.hour >= profile.daily_email_hour and profile.daily_email_sent_on != local.date()


def _claim(profile: Profile, now: datetime) -> bool:
    """Mark today as sent unless another run has: True when this run sends."""
    today = now.astimezone(profile.zone).date()
    claimed = (
        Profile.objects.filter(pk=profile.pk, daily_email=True)
        .exclude(daily_email_sent_on=today)
        .update(daily_email_sent_on=today)
    )
    return claimed == 1


def send_due(now: datetime | None = None) -> int:
    """Send the daily e-mail of everyone whose hour has come today and who has
    not had it yet; returns how many were sent. People are read in batches of
    BATCH; a failed send gives the day back, so the next run tries again."""
    now = now or timezone.now()
    waiting = (
        Profile.objects.filter(daily_email=True)
        .exclude(user__email="")
        .filter(
            Q(daily_email_sent_on__isnull=True) | Q(daily_email_sent_on__lt=(now + AHEAD).date())
        )
        .select_related("user")
        .order_by("pk")
    )
    sent, after = 0, 0
    while batch := list(waiting.filter(pk__gt=after)[:BATCH]):
        after = batch[-1].pk
        for profile in batch:
            if not _is_time(profile, now) or not _claim(profile, now):
                continue
            try:
                message_for(digest_for(profile, now=now)).send()
            except Exception:
                logger.exception("Daily e-mail to user %s not sent", profile.user_id)
                Profile.objects.filter(pk=profile.pk).update(
                    daily_email_sent_on=profile.daily_email_sent_on
                )
                continue
            sent += 1
    return sent
