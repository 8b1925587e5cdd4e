"""Weekly reviews computed once per session on the README's demo warehouses.

Reviews are cached by (warehouse, week), so the tests that read the same review share one
computation.
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
# The persistent signals start with the data; the first week has too few of either to judge.
FIRST_WEEK = iso_week(PLANTED_SPEC.start)


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
