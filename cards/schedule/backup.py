"""The schedule's part of a backup (from format 3 on): the retention the person
aims for and what the optimizer fitted to their reviews, or null when they
never set either (FSRS's defaults). An older file restores the defaults.

The optimizer's jobs are not backed up: a job is a run that has ended (or is
under way on this server), and what it found is in these settings already.
"""

from accounts.backup.fields import (
    Boolean,
    DayList,
    Field,
    IndexList,
    Number,
    Row,
    When,
    kind_of,
    problem,
)
from accounts.backup.sections import Part, Single

from ..models import SchedulerSettings
from ..models.scheduler import MAX_LIGHT_DATES
from . import optimizer

# What a run measured of a set of parameters (optimizer.Fit.metrics).
MEASURES = ("log_loss", "rmse")


class Parameters(Field):
    """FSRS's parameters fitted to the person's reviews, or null (the defaults):
    only what the optimizer itself would keep (optimizer.usable)."""

    validated = False  # a JSON field: checked here

    def load(self, row, restore):
        value, where = row.value[self.name], row.place(self.name)
        if value is None:
            return None
        size = len(optimizer.DEFAULT_PARAMETERS)
        if not isinstance(value, list):
            raise problem(where, f"must be null or a list of {size} numbers, not {kind_of(value)}")
        if len(value) != size:
            raise problem(where, f"has {len(value)} numbers; FSRS takes {size}")
        numbers = []
        for n, number in enumerate(value):
            if not isinstance(number, int | float) or isinstance(number, bool):
                raise problem(f"{where}[{n}]", f"must be a number, not {kind_of(number)}")
            try:
                numbers.append(float(number))
            except OverflowError:
                raise problem(f"{where}[{n}]", "is too large") from None
        if not optimizer.usable(numbers):
            raise problem(
                where, "are not parameters FSRS takes (each must be finite and within its bounds)"
            )
        return numbers


class Metrics(Field):
    """What the optimizer's last run measured, or {} before any run."""

    validated = False

    def load(self, row, restore):
        value, where = row.value[self.name], row.place(self.name)
        if value == {}:
            return {}
        metrics = Row(value, where, ("reviews", "default", "fitted", "kept"))
        reviews = metrics.integer("reviews")
        if reviews < 0:
            raise problem(metrics.place("reviews"), "must be 0 or more")
        checked = {"reviews": reviews}
        for name in ("default", "fitted"):
            measured = Row(metrics.value[name], metrics.place(name), MEASURES)
            checked[name] = {key: measured.number(key) for key in MEASURES}
        checked["kept"] = metrics.boolean("kept")
        return checked


class Schedule(Single):
    name = "scheduler"
    model = SchedulerSettings
    fields = (
        Number("desired_retention"),  # the model's own range, in its words
        Parameters("parameters"),
        When("optimized_at", null=True),
        Metrics("metrics"),
        IndexList("light_weekdays", largest=6, what="a weekday from 0 (Monday) to 6 (Sunday)"),
        DayList("light_dates", longest=MAX_LIGHT_DATES),
        Boolean("interview_days_light"),
    )
    not_backed_up = ("id", "user")
    since = 3
    optional = True

    def instance(self, user) -> SchedulerSettings | None:
        return SchedulerSettings.objects.filter(user=user).first()

    def write(self, restore, values: dict | None) -> None:
        """Into an empty account, the backup's schedule (null: the defaults); a
        merge keeps the account's, and takes the backup's only if it has none."""
        mine = SchedulerSettings.objects.filter(user=restore.user)
        if restore.merge:
            if values is not None and not mine.exists():
                SchedulerSettings.objects.create(user=restore.user, **values)
        elif values is None:
            mine.delete()
        else:
            SchedulerSettings.objects.update_or_create(user=restore.user, defaults=values)


SCHEDULE = Schedule()
PART = Part(sections=(SCHEDULE,))
