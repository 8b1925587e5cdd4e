"""Actions in the weekly review: those whose evaluation window ended in the reviewed week."""

from __future__ import annotations

import datetime as dt

from appdb.actions import Action, ImpactModel
from metrics.impact import Impact
from review.actions import due_in_week, due_tables


def _action(action_id: int, start: dt.date, weeks: int = 4, title: str = "x") -> Action:
    return Action(
        title=title,
        kind="training",
        start=start,
        action_id=action_id,
        impact=ImpactModel(window_weeks=weeks),
    )


def test_an_action_is_due_in_the_week_its_window_ends():
    # 26 Oct 2026 is a Monday: 4 weeks end on Sunday 22 Nov, in 2026-W47.
    on_time = _action(1, dt.date(2026, 10, 26))
    mid_week = _action(2, dt.date(2026, 10, 21))  # counts from Monday 26 Oct too
    later = _action(3, dt.date(2026, 11, 2))
    assert [a.action_id for a in due_in_week([on_time, mid_week, later], "2026-W47")] == [1, 2]
    assert [a.action_id for a in due_in_week([on_time, later], "2026-W48")] == [3]


def test_due_actions_split_into_measured_and_without_data():
    due = [
        _action(1, dt.date(2026, 10, 26), title="Retraining"),
        _action(2, dt.date(2026, 10, 26), title="New tooling"),
    ]
    impacts = {
        1: Impact("measured", "", effect=0.041, lower=0.012, upper=0.070, verdict="improved"),
        2: Impact("no data", "No inspections in the action's scope after it started."),
    }
    measured, missing = due_tables(due, impacts)
    assert measured["Action"].tolist() == ["Retraining"]
    assert measured["Result"].tolist() == ["Accuracy rose 4.1 points (1.2 to 7.0) after it."]
    assert measured["Verdict"].tolist() == ["improved"]
    assert missing["Action"].tolist() == ["New tooling"]
    assert missing["Why"].tolist() == ["No inspections in the action's scope after it started."]
