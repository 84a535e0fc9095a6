from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Profile
from cards.models import StudySession, Topic
from cards.study import services as study
from interviews.models import Interview

# An interview given only by its day is put at this time of the person's day.
INTERVIEW_TIME = time(9, 0)


@dataclass(frozen=True)
class Track:
    label: str
    role: str
    topics: tuple[str, ...]  # the starter library's topic slugs


TRACKS = {
    "backend": Track(
        "Backend engineering",
        "Backend engineer",
        (
            "algorithms",
            "system-design",
            "system-design-interview",
            "databases",
            "distributed-systems",
            "api-design",
            "behavioral",
        ),
    ),
    "data": Track(
        "Data and machine learning",
        "Data / ML engineer",
        (
            "machine-learning",
            "statistics",
            "sql",
            "feature-engineering",
            "regression-classification",
            "neural-networks",
            "mlops",
            "python",
            "behavioral",
        ),
    ),
    "general": Track(
        "General software engineering",
        "Software engineer",
        ("algorithms", "python", "system-design-interview", "sql", "behavioral"),
    ),
}


def track_topics(user, track: str) -> list[Topic]:
    """The track's starter topics; without the starter library, every topic
    the person sees."""
    visible = Topic.objects.visible_to(user)
    topics = list(visible.filter(owner=None, slug__in=TRACKS[track].topics))
    return topics or list(visible)


def has_started(user) -> bool:
    return StudySession.objects.filter(user=user).exists()


@transaction.atomic
def start(
    *, user, track: str, zone: ZoneInfo, interview_date: date | None = None, company: str = ""
) -> tuple[StudySession, bool]:
    """The person's first session over their track's topics, and their next
    interview when a date is given. Returns the session and whether it is new:
    a second submit (a double click, a second tab) finds the first one's session
    and writes nothing. Raises ValidationError when nothing can be written."""
    # One first run at a time per person: the second waits here, then finds the first's session.
    Profile.objects.select_for_update().filter(user=user).first()
    existing = StudySession.objects.filter(user=user).first()
    if existing is not None:
        return existing, False
    topics = track_topics(user, track)
    if not topics:
        raise ValidationError("There are no topics to study yet: create one or import cards.")
    if interview_date is not None:
        Interview.objects.check_room(user)
        interview = Interview.objects.create(
            user=user,
            company=company or "Next interview",
            role=TRACKS[track].role,
            scheduled_at=datetime.combine(interview_date, INTERVIEW_TIME, tzinfo=zone),
            timezone=str(zone),
        )
        interview.topics.set(topics)
    return study.start_session(user=user, topics=topics), True
