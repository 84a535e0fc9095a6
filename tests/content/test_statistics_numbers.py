"""Every worked number on the statistics cards, recomputed from scratch.

Each test computes a figure with the standard library (or NumPy) and checks
that the card shows it, formatted as the card formats it. A wrong number on a
card, or a card that drops one, fails here."""

import math
import tomllib
from pathlib import Path
from statistics import NormalDist, mean, median, mode, pvariance, variance

import numpy as np
import pytest

pytestmark = pytest.mark.db_independent

SOURCE = Path(__file__).resolve().parents[2] / "cards" / "starter" / "statistics.toml"
CARDS = {card["key"]: card for card in tomllib.loads(SOURCE.read_text("utf-8"))["cards"]}
Z = NormalDist()


def back(key: str) -> str:
    return CARDS[key]["back"]


def shows(key: str, *figures: str) -> None:
    text = f"{CARDS[key]['front']}\n{back(key)}"
    missing = [figure for figure in figures if figure not in text]
    assert missing == [], f"{key} does not show {missing}"


def t_quantile(p: float, df: int) -> float:
    """The p quantile of Student's t, from its density by Simpson's rule and bisection."""
    const = math.gamma((df + 1) / 2) / (math.sqrt(df * math.pi) * math.gamma(df / 2))

    def cdf(x: float, steps: int = 2000) -> float:
        h = x / steps
        f = [const * (1 + (i * h) ** 2 / df) ** (-(df + 1) / 2) for i in range(steps + 1)]
        return 0.5 + h / 3 * (f[0] + f[-1] + 4 * sum(f[1:-1:2]) + 2 * sum(f[2:-1:2]))

    low, high = 0.0, 10.0
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if cdf(mid) < p else (low, mid)
    return low


def two_sided_p(z: float) -> float:
    return 2 * (1 - Z.cdf(abs(z)))


# Descriptive statistics ------------------------------------------------------------------


def test_mean_median_mode_of_the_skewed_example():
    data = [1, 2, 2, 3, 12]
    assert (mean(data), median(data), mode(data)) == (4, 2, 2)
    assert sum(x < mean(data) for x in data) == 4
    shows("stats-mean-median-mode", "1, 2, 2, 3, 12", "mean is **4**", "median is **2**")


def test_sample_variance_divides_by_n_minus_one():
    data = [2, 4, 4, 4, 5, 5, 7, 9]
    assert mean(data) == 5 and sum((x - 5) ** 2 for x in data) == 32
    assert pvariance(data) == 4
    shows("stats-sample-variance-n-minus-1", "2, 4, 4, 4, 5, 5, 7, 9", "sum to 32", "**4**")
    shows("stats-sample-variance-n-minus-1", f"32/7 ≈ **{variance(data):.3f}**")


def test_standard_error_of_the_mean():
    assert 10 / math.sqrt(100) == 1
    assert 10 / math.sqrt(4 * 100) == (10 / math.sqrt(100)) / 2
    shows("stats-sd-vs-se", "SE = 10/10 = **1**")
    shows("stats-se-sqrt-n", "four times")


# Distributions ---------------------------------------------------------------------------


def test_normal_shares_within_one_two_three_sds():
    shares = [Z.cdf(k) - Z.cdf(-k) for k in (1, 2, 3)]
    shows("stats-68-95-99", f"{{{{c1::{shares[0]:.0%}}}}}", f"{{{{c2::{shares[1]:.0%}}}}}")
    shows("stats-68-95-99", f"{{{{c3::{shares[2] * 100:.1f}%}}}}")
    shows("stats-68-95-99", *(f"{s * 100:.2f}%" for s in shares))
    shows("stats-68-95-99", f"{Z.inv_cdf(0.975):.2f} standard deviations")


def test_binomial_poisson_exponential_examples():
    assert math.comb(10, 5) == 252 and 2**10 == 1024
    shows("stats-binomial-distribution", f"252/1024 \\approx \\) **{252 / 1024:.3f}**")
    shows("stats-poisson-distribution", f"e^{{-3}} \\approx \\) **{math.exp(-3):.4f}**")
    shows("stats-exponential-distribution", f"mean gap is {1 / 2} minutes")
    shows("stats-exponential-distribution", f"e^{{-2}} \\approx \\) **{math.exp(-2):.3f}**")


def test_uniform_variance_and_null_p_values():
    draws = np.random.default_rng(1).uniform(0, 1, 200_000)
    assert abs(draws.var() - 1 / 12) < 1e-3
    shows("stats-uniform-distribution", "\\( (b - a)^2 / 12 \\)", "mean 0.5, variance 1/12")


def test_distribution_table_moments_by_simulation():
    rng = np.random.default_rng(2)
    p, lam = 0.2, 3.0
    geometric = rng.geometric(p, 400_000)  # trials up to the first success
    assert geometric.min() == 1
    assert abs(geometric.mean() - 1 / p) < 0.05
    assert abs(geometric.var() - (1 - p) / p**2) < 0.5
    exponential = rng.exponential(1 / lam, 400_000)
    assert abs(exponential.var() - 1 / lam**2) < 0.005
    shows("stats-distribution-table", "| \\( 1/p \\) | \\( (1-p)/p^2 \\) |", "\\( (1-p)/p \\)")


# Tests and intervals ---------------------------------------------------------------------


def test_critical_values():
    for figure, quantile in (("1.96", 0.975), ("1.645", 0.95), ("0.84", 0.80)):
        assert f"{Z.inv_cdf(quantile):.{len(figure) - 2}f}" == figure
    shows("stats-critical-values", "{{c1::1.96}}", "{{c2::1.645}}", "{{c3::0.84}}")
    shows("stats-critical-values", f"{Z.inv_cdf(0.975):.3f}", f"{Z.inv_cdf(0.80):.3f}")
    shows("stats-one-vs-two-sided", "**1.96**", f"**{Z.inv_cdf(0.95):.3f}**")


def test_confidence_interval_for_a_mean():
    # With 2 degrees of freedom the quantile has a closed form: a check of the integration.
    assert t_quantile(0.975, 2) == pytest.approx(0.95 / math.sqrt(2 * 0.975 * 0.025), abs=1e-6)
    mean_, s = 50, 10
    low, high = mean_ - Z.inv_cdf(0.975) * s / 10, mean_ + Z.inv_cdf(0.975) * s / 10
    shows("stats-ci-for-mean", f"**({low:.2f}, {high:.2f})**", f"({t_quantile(0.975, 99):.3f})")
    t24 = t_quantile(0.975, 24)
    margin = round(t24, 3) * 2
    shows("stats-ci-for-mean", f"\\approx {t24:.3f}", f"50 ± {margin:.3f}")
    shows("stats-ci-for-mean", f"**({50 - t24 * 2:.2f}, {50 + t24 * 2:.2f})**")
    shows("stats-t-vs-z-test", f"{t24:.3f} at 24", f"{t_quantile(0.975, 99):.3f} at 99")


def test_confidence_interval_for_a_proportion():
    p, n = 200 / 1000, 1000
    se = math.sqrt(p * (1 - p) / n)
    low, high = p - 1.96 * se, p + 1.96 * se
    shows("stats-ci-for-proportion", f"≈ {se:.5f}", f"≈ {1.96 * se:.4f}")
    shows("stats-ci-for-proportion", f"**95% CI ≈ ({low:.4f}, {high:.4f})**")
    shows("stats-ci-for-proportion", f"{low:.2%} to {high:.2%}")


def test_two_proportion_z_test_and_interval():
    (xa, xb), n = (200, 250), 1000
    pooled = (xa + xb) / (2 * n)
    se = math.sqrt(pooled * (1 - pooled) * 2 / n)
    z = (xb - xa) / n / se
    shows("stats-two-proportion-z-test", f"= {pooled}", f"≈ {se:.5f}", f"≈ **{z:.2f}**")
    shows("stats-two-proportion-z-test", f"p ≈ **{two_sided_p(z):.4f}**")
    se_diff = math.sqrt(0.2 * 0.8 / n + 0.25 * 0.75 / n)
    low, high = 0.05 - 1.96 * se_diff, 0.05 + 1.96 * se_diff
    shows("stats-two-proportion-z-test", f"≈ {se_diff:.5f}", f"**({low:.4f}, {high:.4f})**")
    shows("stats-two-proportion-z-test", f"{low * 100:.2f} and {high * 100:.2f} percentage")
    shows("stats-two-proportion-z-test", f"{(0.25 - 0.2) / 0.2:.0%} lift")
    shows("stats-p-value-definition", f"z = {z:.2f}", f"p ≈ {two_sided_p(z):.4f}")
    shows("stats-p-value-definition", f"about {two_sided_p(z):.1%} of repeats")


def test_chi_squared_on_the_two_by_two_table():
    observed = [[200, 800], [250, 750]]
    rows, cols = [sum(r) for r in observed], [sum(c) for c in zip(*observed, strict=True)]
    total = sum(rows)
    expected = [[r * c / total for c in cols] for r in rows]
    assert expected == [[225, 775], [225, 775]]
    chi2 = sum(
        (o - e) ** 2 / e
        for orow, erow in zip(observed, expected, strict=True)
        for o, e in zip(orow, erow, strict=True)
    )
    pooled = 450 / 2000
    z = 0.05 / math.sqrt(pooled * (1 - pooled) * 2 / 1000)
    assert chi2 == pytest.approx(z**2)
    p_value = two_sided_p(math.sqrt(chi2))
    shows("stats-chi-squared-test", f"**{chi2:.2f}**", f"p ≈ **{p_value:.4f}**")
    shows("stats-chi-squared-test", f"{z:.3f}² ≈ {z**2:.2f}", "1,550", "225 and 775")


# A/B tests -------------------------------------------------------------------------------


def sample_size(p1: float, p2: float, alpha: float = 0.05, power: float = 0.8) -> int:
    z_a, z_b = Z.inv_cdf(1 - alpha / 2), Z.inv_cdf(power)
    p_bar = (p1 + p2) / 2
    top = z_a * math.sqrt(2 * p_bar * (1 - p_bar)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(top**2 / (p2 - p1) ** 2)


def test_ab_sample_size_for_ten_to_eleven_percent():
    n = sample_size(0.10, 0.11)
    shows("stats-ab-sample-size", f"**{n:,} users per group**", f"**{2 * n:,}** in all")
    shows("stats-ab-sample-size", f"assert n == {n}", f"assert 2 * n == {2 * n}")
    assert sample_size(0.10, 0.12) < n / 3
    p_bar = 0.105
    shows("stats-ab-sample-size", f"about {round(16 * p_bar * (1 - p_bar) / 0.01**2):,}")


def test_ab_sample_size_by_simulation_has_the_power_it_claims():
    """Run the planned test many times on simulated users: it should detect the lift
    about 80% of the time, and flag a non-existent lift about 5% of the time."""
    rng = np.random.default_rng(3)
    n, runs = sample_size(0.10, 0.11), 4000

    def rejections(p_b: float) -> float:
        a, b = rng.binomial(n, 0.10, runs) / n, rng.binomial(n, p_b, runs) / n
        pooled = (a + b) / 2
        z = (b - a) / np.sqrt(pooled * (1 - pooled) * 2 / n)
        return float(np.mean(np.abs(z) > Z.inv_cdf(0.975)))

    assert 0.77 < rejections(0.11) < 0.83
    assert 0.035 < rejections(0.10) < 0.065


def test_minimum_detectable_effect():
    z_sum = Z.inv_cdf(0.975) + Z.inv_cdf(0.8)
    root = math.sqrt(2 * 0.1 * 0.9 / 10_000)
    mde = z_sum * root
    shows("stats-minimum-detectable-effect", f"= {z_sum:.3f} × {root:.5f} ≈ **{mde:.4f}**")
    shows("stats-minimum-detectable-effect", f"about **{mde * 100:.2f} percentage points**")
    shows("stats-minimum-detectable-effect", f"**{mde / 0.1:.1%}** relative")


def test_family_wise_error_and_bonferroni():
    fwer = 1 - 0.95**20
    shows("stats-multiple-testing-bonferroni", f"\\approx {fwer:.2f}", f"about **{fwer:.0%}**")
    shows("stats-multiple-testing-bonferroni", f"0.05/20 = **{0.05 / 20}**")


def test_benjamini_hochberg_example():
    ps = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
    passing = [k for k, p in enumerate(sorted(ps), start=1) if p <= k / len(ps) * 0.05]
    assert max(passing) == 2
    assert sum(p <= 0.05 / len(ps) for p in ps) == 1
    shows("stats-benjamini-hochberg", f"ps = {ps}", "== [0, 1]", "== [0]")
    shows("stats-benjamini-hochberg", "thresholds 0.005, 0.010, 0.015")


def test_peeking_inflates_the_false_positive_rate():
    rng = np.random.default_rng(4)
    critical = Z.inv_cdf(0.975)

    def false_positive_rate(looks: int) -> float:
        steps = rng.standard_normal((200_000, looks)).cumsum(axis=1)
        z = steps / np.sqrt(np.arange(1, looks + 1))
        return float(np.mean((np.abs(z) > critical).any(axis=1)))

    ten, five = false_positive_rate(10), false_positive_rate(5)
    assert abs(ten - 0.19) < 0.01 and abs(five - 0.14) < 0.01
    shows("stats-peeking-optional-stopping", f"about **{ten:.0%}**", f"about **{five:.0%}**")


def test_sample_ratio_mismatch():
    a, b = 50_000, 48_800
    expected = (a + b) / 2
    chi2 = ((a - expected) ** 2 + (b - expected) ** 2) / expected
    shows("stats-sample-ratio-mismatch", f"{expected:,.0f} in each", f"{a + b:,} in all")
    shows("stats-sample-ratio-mismatch", f"{a - expected:.0f}^2", f"\\approx {chi2:.2f}")
    shows("stats-sample-ratio-mismatch", f"p ≈ **{two_sided_p(math.sqrt(chi2)):.5f}**")
    shows("stats-sample-ratio-mismatch", f"{a / (a + b):.1%} to {b / (a + b):.1%}")


def test_cuped_variance_factor():
    rng = np.random.default_rng(5)
    x = rng.standard_normal(200_000)
    y = 0.7 * x + math.sqrt(1 - 0.7**2) * rng.standard_normal(200_000)
    theta = np.cov(x, y)[0, 1] / x.var(ddof=1)
    adjusted = y - theta * (x - x.mean())
    assert adjusted.var() / y.var() == pytest.approx(1 - 0.7**2, abs=0.01)
    shows("stats-cuped", f"variance is **{1 - 0.7**2:.2f}** of the original")


# Bayes and Simpson -----------------------------------------------------------------------


def test_bayes_diagnostic_test():
    prior, sensitivity, specificity = 0.01, 0.95, 0.95
    true_pos, false_pos = sensitivity * prior, (1 - specificity) * (1 - prior)
    posterior = true_pos / (true_pos + false_pos)
    assert round(10_000 * true_pos) == 95 and round(10_000 * false_pos) == 495
    shows("stats-bayes-diagnostic-test", f"= {true_pos:.4f} / {true_pos + false_pos:.3f}")
    shows("stats-bayes-diagnostic-test", f"≈ **{posterior:.3f}**", f"about **{posterior:.0%}**")
    shows("stats-bayes-diagnostic-test", "9,900", "495", f"95/590 ≈ {95 / 590:.1%}")
    ratio = sensitivity / (1 - specificity)
    second = posterior * sensitivity / (posterior * sensitivity + (1 - posterior) * 0.05)
    assert ratio == pytest.approx(19)
    assert second == pytest.approx(361 / 460)
    shows("stats-bayes-diagnostic-test", "19:99 to 361:99", f"361/460 ≈ **{second:.1%}**")


def test_simpsons_paradox_table():
    a = {"mild": (90, 100), "severe": (240, 400)}
    b = {"mild": (340, 400), "severe": (50, 100)}
    for group in a:
        assert a[group][0] / a[group][1] > b[group][0] / b[group][1]
    total_a = [sum(v) for v in zip(*a.values(), strict=True)]
    total_b = [sum(v) for v in zip(*b.values(), strict=True)]
    assert total_a[0] / total_a[1] < total_b[0] / total_b[1]
    for s, n in [*a.values(), *b.values(), total_a, total_b]:
        shows("stats-simpsons-paradox", f"{s}/{n} = **{s / n:.0%}**")


def test_bootstrap_sample_median():
    data = [12, 15, 9, 22, 18, 30, 11, 14, 95, 16]
    assert median(data) == 15.5
    shows("stats-bootstrap", f"[{', '.join(map(str, data))}]", f"== {median(data)}")


# The figures the mock-interview model answers quote ----------------------------------------

QUESTIONS = {
    question["key"]: " ".join(question["model_answer"].split())
    for question in tomllib.loads(
        (SOURCE.parents[2] / "interviews/starter/interviewer_questions/statistics.toml").read_text(
            "utf-8"
        )
    )["questions"]
}


def says(key: str, *figures: str) -> None:
    missing = [figure for figure in figures if figure not in QUESTIONS[key]]
    assert missing == [], f"{key} does not say {missing}"


def test_model_answers_quote_the_right_figures():
    n = sample_size(0.10, 0.11)
    says("iq-stats-sample-size", f"about {round(n, -1):,} users", f"roughly {round(2 * n, -2):,}")
    se = math.sqrt(0.2 * 0.8 / 1000)
    says("iq-stats-confidence-interval-meaning", f"about {se:.4f}", f"about {1.96 * se:.3f}")
    says("iq-stats-confidence-interval-meaning", f"{0.2 - 1.96 * se:.1%} to {0.2 + 1.96 * se:.1%}")
    says("iq-stats-many-metrics", f"about {1 - 0.95**20:.0%}", f"{0.05 / 20}")
    chi2 = 2 * 600**2 / 49_400
    says("iq-stats-sample-ratio-mismatch", f"about {chi2:.1f}", "49,400 each", "50.6% to 49.4%")
    assert f"{two_sided_p(math.sqrt(chi2)):.4f}" == "0.0001"
    says("iq-stats-sample-ratio-mismatch", "p is about 0.0001")
    says("iq-stats-bayes-positive-test", "95 of them", "495 false", f"about {95 / 590:.0%}")
    says("iq-stats-bayes-positive-test", f"which is about {361 / 460:.0%}")
    before, after = 0.9 * 0.08 + 0.1 * 0.02, 0.5 * 0.085 + 0.5 * 0.025
    says("iq-stats-simpsons-paradox", f"overall {before:.1%}", f"overall rate is {after:.1%}")
