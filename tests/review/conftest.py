"""Weekly reviews computed once per session on the README's demo warehouses.

Reviews are cached by (warehouse, week), so the tests that read the same review share one
computation. ``qa_planted_url`` is the demo with the planted signals at ten times the weekly
volume, over its last 9 weeks only (to load in seconds): at the default size the demo
inspects about 30 ID-listing decisions and 5 of moderator M0042's a week, about the minimum
sample of 30 and far below it, so the two QA signals can be judged week by week only on a
demo with enough inspections.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest

from data_access import demo
from review.weekly import WeeklyReview, build_review
from review.weeks import iso_week
from tests.conftest import PLANTED_SPEC, read_only

SIGNALS = PLANTED_SPEC.signals


def first_signal_week(spec: demo.DemoSpec, weeks_before_end: int) -> str:
    """Return the ISO week in which a signal planted ``weeks_before_end`` weeks back starts."""
    start = dt.datetime.fromtimestamp(int(spec.signal_start(weeks_before_end)), dt.UTC).date()
    return iso_week(start)


# The first week of each planted signal on the README's demo (ending Sunday 2026-11-22).
ACCURACY_WEEK = first_signal_week(PLANTED_SPEC, SIGNALS.accuracy_drop_weeks)
OVERTURN_WEEK = first_signal_week(PLANTED_SPEC, SIGNALS.overturn_label_weeks)
PENALTY_WEEK = first_signal_week(PLANTED_SPEC, SIGNALS.penalty_jump_weeks)
MODERATOR_WEEK = first_signal_week(PLANTED_SPEC, SIGNALS.low_moderator_weeks)

# Ten times the default demo's weekly volume (600,000 decisions over 26 weeks), from
# 2026-W39: a week before the moderator's signal starts.
QA_PLANTED_SPEC = demo.DemoSpec(decisions=2_080_000, weeks=9, end=dt.date(2026, 11, 22))


@pytest.fixture(scope="session")
def qa_planted_url(tmp_path_factory) -> str:
    """Return the URL of a planted demo with enough QA inspections to judge a single week."""
    path = tmp_path_factory.mktemp("qa-planted") / "demo.duckdb"
    demo.build(f"duckdb:///{path}", QA_PLANTED_SPEC)
    return f"duckdb:///{path}"


def _reviewer(url: str) -> Iterator[Callable[[str], WeeklyReview]]:
    engine = read_only(url)
    cache: dict[str, WeeklyReview] = {}

    def review_of(week: str) -> WeeklyReview:
        if week not in cache:
            cache[week] = build_review(engine, week)
        return cache[week]

    yield review_of
    engine.dispose()


@pytest.fixture(scope="session")
def planted_review(planted_url) -> Iterator[Callable[[str], WeeklyReview]]:
    """Return ``review_of(week)`` on the default demo with planted signals, cached."""
    yield from _reviewer(planted_url)


@pytest.fixture(scope="session")
def unplanted_review(unplanted_url) -> Iterator[Callable[[str], WeeklyReview]]:
    """Return ``review_of(week)`` on the default demo generated with no planted signals."""
    yield from _reviewer(unplanted_url)


@pytest.fixture(scope="session")
def qa_planted_review(qa_planted_url) -> Iterator[Callable[[str], WeeklyReview]]:
    """Return ``review_of(week)`` on the large planted demo."""
    yield from _reviewer(qa_planted_url)
