"""Which prompts to study, from which day, so that exactly the reviews asked
for happen by now.

Prompts never affect one another, so each prompt's history is a function of its
own random stream and the day it was introduced. A small pilot estimates how
many reviews a prompt gathers by age, which sets how many prompts to introduce
and over how many days, aiming a little high. A counting pass then replays every
prompt (nothing kept but the count), and a few prompts chosen at random are left
unstudied until the surplus is gone; the writing pass (rows.py) replays the rest.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from .learner import Learner, Slot

# Calibration.
PILOT_PROMPTS = 600
# When reviewing prompts as they fall due cannot give as many reviews as asked,
# the learner also reviews this share of them ahead of time.
STUDY_AHEAD = (0.0, 0.1, 0.2, 0.35, 0.5, 0.7)
AIM_HIGH = 1.03  # the counting pass should find this much more than asked; the surplus goes
MAX_ATTEMPTS = 4


class HistoryRequestError(ValueError):
    """The request cannot be met; ``str(error)`` says why."""


def _review_counts(learner: Learner, seed: int, intro_days: list[int]) -> list[int]:
    """How many reviews each prompt gets by now (a replay that keeps nothing else)."""
    counts = []
    review = learner.review
    now = learner.now
    for number, day in enumerate(intro_days):
        slot = Slot(number, seed)
        at = learner.introduce(slot, day)
        n = 0
        while at is not None and at <= now:
            at = review(slot, at)[3]
            n += 1
        counts.append(n)
    return counts


def _reviews_by_age(learner: Learner, seed: int) -> list[float]:
    """Pilot: the mean number of reviews a prompt has had by each age in days."""
    per_day = [0] * (learner.last + 1)
    counted_from = learner.first_ordinal
    for number in range(PILOT_PROMPTS):
        slot = Slot(number, seed)
        at = learner.introduce(slot, 0)
        while at is not None and at <= learner.now:
            per_day[at.toordinal() - counted_from] += 1
            at = learner.review(slot, at)[3]
    cumulative, running = [], 0
    for n in per_day:
        running += n
        cumulative.append(running / PILOT_PROMPTS)
    return cumulative


def _intro_days(learner: Learner, prompts: int, window: int) -> list[int]:
    """Introduce ``prompts`` evenly over the first ``window`` study days."""
    days = learner.active_days
    return [days[i * window // prompts] for i in range(prompts)]


def _expected(learner: Learner, by_age: list[float], prompts: int, window: int) -> float:
    days = learner.active_days
    total = 0.0
    for j in range(window):
        n = (j + 1) * prompts // window - j * prompts // window
        total += n * by_age[learner.last - days[j]]
    return total


def _plan(learner: Learner, by_age: list[float], cards: int, target: float) -> tuple[int, int]:
    """How many prompts to introduce, over how many of the first study days, to
    expect ``target`` reviews: all the days if there are cards enough, else all
    the cards over fewer days (older prompts have been reviewed more)."""
    study_days = len(learner.active_days)
    per_prompt = _expected(learner, by_age, study_days, study_days) / study_days
    prompts = math.ceil(target / per_prompt) if per_prompt else cards
    if prompts <= cards:
        return max(prompts, 1), study_days
    for window in range(study_days, 0, -1):
        if _expected(learner, by_age, cards, window) >= target:
            return cards, window
    return cards, 1


@dataclass
class Plan:
    seed: int
    intro_days: list[int]
    kept: list[int]  # prompt numbers studied, in order of introduction
    limits: dict[int, int]  # numbers whose history stops short
    new_per_day: int


def plan_reviews(learner: Learner, rng: random.Random, *, cards: int, reviews: int, report) -> Plan:
    """Which prompts to study, from which day, so that exactly ``reviews`` reviews
    happen by now (see the module docstring)."""
    pilot_seed = rng.getrandbits(64)
    seed = rng.getrandbits(64)
    # Cards all introduced within the first quarter of the study days is as
    # front-loaded as a plan gets before the learner starts studying ahead.
    quarter = max(1, len(learner.active_days) // 4)
    target = reviews * AIM_HIGH + 20
    level, by_age = 0, {}
    for _attempt in range(MAX_ATTEMPTS + len(STUDY_AHEAD)):
        learner.study_ahead = STUDY_AHEAD[level]
        if level not in by_age:
            by_age[level] = _reviews_by_age(learner, pilot_seed)
        at_most = _expected(learner, by_age[level], cards, quarter)
        if at_most < reviews * AIM_HIGH and level + 1 < len(STUDY_AHEAD):
            level += 1
            continue
        if cards * by_age[level][-1] < reviews * 0.98:
            raise HistoryRequestError(
                f"{cards} cards studied over {learner.last} days come to at most about "
                f"{int(cards * by_age[level][-1])} reviews, not {reviews}: ask for more "
                "cards, more days or fewer reviews."
            )
        prompts, window = _plan(learner, by_age[level], cards, target)
        intro_days = _intro_days(learner, prompts, window)
        counts = _review_counts(learner, seed, intro_days)
        total = sum(counts)
        report(
            f"planned {prompts} prompts over {window} study days, studying ahead "
            f"{learner.study_ahead:.0%} of the time: {total} reviews by now for {reviews} asked"
        )
        if total >= reviews:
            break
        if prompts == cards and window <= quarter and level + 1 < len(STUDY_AHEAD):
            level += 1
        elif prompts == cards and window == 1:
            raise HistoryRequestError(
                f"{cards} cards studied over {learner.last} days come to {total} reviews, "
                f"not {reviews}: ask for more cards, more days or fewer reviews."
            )
        else:
            target *= reviews / max(total, 1) * 1.02
    else:
        raise HistoryRequestError(f"Could not plan {reviews} reviews; try more cards or days.")

    # Leave prompts chosen at random unstudied until exactly ``reviews`` remain;
    # if no prompt is small enough for the last few, one prompt stops early.
    surplus = total - reviews
    order = [number for number, n in enumerate(counts) if n]
    rng.shuffle(order)
    dropped = set()
    for number in order:
        if not surplus:
            break
        if counts[number] <= surplus:
            dropped.add(number)
            surplus -= counts[number]
    limits = {}
    if surplus:
        for number in order:
            if number not in dropped:
                limits[number] = counts[number] - surplus
                break
    kept = [number for number in range(prompts) if counts[number] and number not in dropped]
    new_per_day = math.ceil(len(kept) / window)
    return Plan(seed, intro_days, kept, limits, new_per_day)
