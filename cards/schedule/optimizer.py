"""Fitting FSRS's parameters to one person's review log with fsrs-rs (FSRS's
own optimizer, in Rust), and measuring them against the defaults.

The review log becomes one history per prompt: its grades in time order, each
with the days since the one before (the person's own days, ``ReviewLog.day``,
so a review at 23:50 and one at 00:10 are a day apart). fsrs-rs learns from
each review that came a day or more after an earlier one, predicting it from
the history before it: one FSRSItem per such review."""

import math
from dataclasses import dataclass

import fsrs
from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, FSRSItem, FSRSReview

from ..models import ReviewLog

# fsrs-rs fits nothing but the first stabilities below 64 such reviews
# (compute_parameters returns early), so the optimizer asks for that many.
MIN_REVIEWS = 64


def countable_reviews(*, user_id: int) -> int:
    """How many of the person's reviews the optimizer learns from: the first
    review of a prompt on each day after the first day it was studied."""
    reviews = ReviewLog.objects.filter(user_id=user_id).order_by()
    days = reviews.values("prompt_id", "day").distinct().count()
    prompts = reviews.values("prompt_id").distinct().count()
    return days - prompts


def histories(*, user_id: int) -> list[FSRSItem]:
    """The training items of the person's review log, read in one pass."""
    rows = (
        ReviewLog.objects.filter(user_id=user_id)
        .order_by("prompt_id", "reviewed_at", "id")
        .values_list("prompt_id", "day", "rating")
        .iterator(chunk_size=20_000)
    )
    items: list[FSRSItem] = []
    prompt = last_day = None
    reviews: list[FSRSReview] = []
    for prompt_id, day, rating in rows:
        if prompt_id != prompt:
            prompt, last_day, reviews = prompt_id, day, []
        elapsed = (day - last_day).days
        reviews.append(FSRSReview(rating, elapsed))
        if elapsed > 0:
            items.append(FSRSItem(reviews))
        last_day = day
    return items


@dataclass
class Fit:
    parameters: list[float]
    default: dict[str, float]  # log loss and RMSE of FSRS's default parameters
    fitted: dict[str, float]  # the same, of the fitted ones
    reviews: int

    @property
    def better(self) -> bool:
        """The fitted parameters predict the person's recall better: lower log
        loss, and an RMSE no worse."""
        return (
            self.fitted["log_loss"] < self.default["log_loss"]
            and self.fitted["rmse"] <= self.default["rmse"]
            and usable(self.parameters)
        )

    def metrics(self) -> dict:
        return {
            "reviews": self.reviews,
            "default": self.default,
            "fitted": self.fitted,
            "kept": self.better,
        }


def usable(parameters: list[float]) -> bool:
    """The fsrs package's scheduler accepts them (within its bounds, finite)."""
    if len(parameters) != len(DEFAULT_PARAMETERS) or not all(map(math.isfinite, parameters)):
        return False
    try:
        fsrs.Scheduler(parameters=parameters)
    except ValueError:
        return False
    return True


def measure(parameters: list[float], items: list[FSRSItem]) -> dict[str, float]:
    evaluation = FSRS(parameters).evaluate(items)
    return {"log_loss": float(evaluation.log_loss), "rmse": float(evaluation.rmse_bins)}


def fitted_parameters(items: list[FSRSItem]) -> list[float]:
    return [float(w) for w in FSRS(DEFAULT_PARAMETERS).compute_parameters(items)]


def evaluate(parameters: list[float], items: list[FSRSItem]) -> Fit:
    """Measure the parameters and the defaults on the same items."""
    return Fit(
        parameters=parameters,
        default=measure(list(DEFAULT_PARAMETERS), items),
        fitted=measure(parameters, items),
        reviews=len(items),
    )


def fit(items: list[FSRSItem]) -> Fit:
    """Fit the parameters, and measure them and the defaults on the same items."""
    return evaluate(fitted_parameters(items), items)
