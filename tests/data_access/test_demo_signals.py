"""The demo plants the README's six signals, and plants nothing with --no-signals."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access import queries
from data_access.filters import Filters
from metrics.funnel import funnel_positions
from metrics.rates import with_interval
from tests.conftest import read_only

END = dt.date(2026, 11, 22)


def weeks_before_end(weeks: int) -> dt.date:
    """Return the Monday that starts the last ``weeks`` weeks of the demo."""
    return END - dt.timedelta(days=7 * weeks - 1)


def accuracy_drop(engine) -> tuple[float, float]:
    """Return ID/listing/northwind accuracy upper bound lately, lower bound before."""
    segment = dict(markets=("ID",), policy_areas=("listing",), vendors=("northwind",))
    late = Filters(weeks_before_end(4), END, **segment)
    early = Filters(weeks_before_end(12), weeks_before_end(4) - dt.timedelta(days=1), **segment)
    late_rate, early_rate = (
        with_interval(queries.inspection_counts(engine, f, ()), "correct", "inspections").iloc[0]
        for f in (late, early)
    )
    return late_rate["upper"], early_rate["lower"]


def overturn_ratio(engine) -> float:
    """Return the planted label's overturn rate over the median of its peers'."""
    counts = queries.appeal_counts(engine, Filters(weeks_before_end(10), END), ["label_code"])
    rates = with_interval(counts, "overturned", "resolved").set_index("label_code")["rate"]
    return rates["listing_keyword_stuffing"] / rates.drop("listing_keyword_stuffing").median()


def penalty_jump(engine) -> float:
    """Return BR's penalty rate in the last 3 weeks over the 9 weeks before."""
    rates = []
    for start, end in ((weeks_before_end(3), END), (weeks_before_end(12), weeks_before_end(3))):
        counts = queries.penalty_counts(engine, Filters(start, end, markets=("BR",)), ())
        rates.append(counts["penalties"][0] / counts["rejections"][0])
    return rates[0] / rates[1]


def moderator_position(engine) -> str:
    """Return where M0042 sits on the accuracy funnel of the last 8 weeks."""
    counts = queries.inspection_counts(engine, Filters(weeks_before_end(8), END), ["moderator_id"])
    positions = funnel_positions(counts, "correct", "inspections").set_index("moderator_id")
    return positions.loc["M0042", "position"]


START = dt.date(2026, 5, 25)  # the Monday the README's demo starts


def persistent_label_ratio(engine) -> float:
    """Return content_harassment's overturn rate in the first 4 weeks over its peers' median."""
    first_weeks = Filters(START, START + dt.timedelta(weeks=4, days=-1))
    counts = queries.appeal_counts(engine, first_weeks, ["label_code"])
    rates = with_interval(counts, "overturned", "resolved").set_index("label_code")["rate"]
    return rates["content_harassment"] / rates.drop("content_harassment").median()


def persistent_moderator(engine) -> tuple[str, int]:
    """Return M0123's funnel position over the first 4 weeks and its most inspections a week."""
    first_weeks = Filters(START, START + dt.timedelta(weeks=4, days=-1))
    counts = queries.inspection_counts(engine, first_weeks, ["moderator_id"])
    positions = funnel_positions(counts, "correct", "inspections").set_index("moderator_id")
    weekly = queries.inspection_counts(
        engine, Filters(START, END, grain="week", moderators=("M0123",)), ["period"]
    )
    return positions.loc["M0123", "position"], int(weekly["inspections"].max())


def test_planted_signals_are_in_the_demo(planted_url):
    engine = read_only(planted_url)
    late_upper, early_lower = accuracy_drop(engine)
    assert late_upper < early_lower, "accuracy drop: the intervals do not even overlap"
    assert overturn_ratio(engine) > 3
    assert penalty_jump(engine) > 1.6
    assert moderator_position(engine) == "below"
    assert persistent_label_ratio(engine) > 3
    position, most_a_week = persistent_moderator(engine)
    assert position == "below" and 10 <= most_a_week < 30
    engine.dispose()


def test_no_signals_are_planted_with_the_switch(unplanted_url):
    engine = read_only(unplanted_url)
    late_upper, early_lower = accuracy_drop(engine)
    assert late_upper > early_lower
    assert overturn_ratio(engine) < 2
    assert penalty_jump(engine) == pytest.approx(1.0, abs=0.15)
    assert moderator_position(engine) in ("inside", "too small")
    assert persistent_label_ratio(engine) < 2
    assert persistent_moderator(engine)[0] in ("inside", "too small")
    engine.dispose()


def lumen_accuracy(engine) -> tuple[float, float]:
    """Return Lumen's accuracy lower bound in the last 10 weeks and upper bound before."""
    late = Filters(weeks_before_end(10), END, vendors=("lumen",))
    before = weeks_before_end(10) - dt.timedelta(days=1)
    early = Filters(weeks_before_end(20), before, vendors=("lumen",))
    late_rate, early_rate = (
        with_interval(queries.inspection_counts(engine, f, ()), "correct", "inspections").iloc[0]
        for f in (late, early)
    )
    return late_rate["lower"], early_rate["upper"]


def test_the_improvement_after_the_demo_retraining_is_planted_and_only_then(
    planted_url, unplanted_url
):
    engine = read_only(planted_url)
    late_lower, early_upper = lumen_accuracy(engine)
    assert late_lower > early_upper, "Lumen's accuracy rose: the intervals do not overlap"
    engine.dispose()
    engine = read_only(unplanted_url)
    late_lower, early_upper = lumen_accuracy(engine)
    assert late_lower < early_upper
    engine.dispose()
