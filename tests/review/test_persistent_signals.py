"""The demo's persistent signals reach the review through Standing problems and pooling."""

from __future__ import annotations

import pandas as pd

from review.narrative import summary_sentences
from review.report import render_html
from review.tables import pooled_table, standing_table
from review.weeks import shift_week, week_range
from tests.review.conftest import FIRST_WEEK, MODERATOR_WEEK, SIGNALS


def unit(units: pd.DataFrame, key: str, value: str, metric: str) -> pd.Series:
    """Return the one row of a unit and metric in a standing or pooled frame."""
    rows = units[(units[key] == value) & (units["metric"] == metric)]
    (index,) = rows.index
    return rows.loc[index]


def test_persistent_signals_are_listed_in_their_first_judgeable_week(planted_review):
    first = planted_review(FIRST_WEEK)
    # The first week has under 30 of each: neither is judged yet.
    label = unit(first.standing, "label_code", SIGNALS.persistent_label, "overturn_rate")
    moderator = unit(first.pooled, "moderator_id", SIGNALS.persistent_moderator, "accuracy")
    assert label["denominator"] < 30 and not label["judged"]
    assert moderator["denominator"] < 30 and not moderator["judged"]

    second = planted_review(shift_week(FIRST_WEEK, 1))
    label = unit(second.standing, "label_code", SIGNALS.persistent_label, "overturn_rate")
    assert label["flagged"] and label["rate"] > 3 * label["reference_rate"]
    assert label["since"] == pd.Timestamp(week_range(FIRST_WEEK)[0])
    # The moderator has under 30 inspections a week, so the week alone cannot judge them;
    # pooled over the trailing weeks they are flagged, and marked pooled on the page.
    week_rows = second.segments[
        (second.segments["metric"] == "accuracy")
        & (second.segments["moderator_id"] == SIGNALS.persistent_moderator)
    ]
    assert week_rows["denominator"].iloc[0] < 30 and not week_rows["judged"].iloc[0]
    pooled = unit(second.pooled, "moderator_id", SIGNALS.persistent_moderator, "accuracy")
    assert pooled["flagged"] and pooled["position"] == "below" and pooled["rate"] < 0.8
    table = pooled_table(second)
    assert SIGNALS.persistent_moderator in set(table["Unit"])
    assert "Pooled over" in table.columns


def test_persistent_signals_stay_in_standing_problems_for_the_whole_window(planted_review):
    review = planted_review(MODERATOR_WEEK)
    label = unit(review.standing, "label_code", SIGNALS.persistent_label, "overturn_rate")
    moderator = unit(review.standing, "moderator_id", SIGNALS.persistent_moderator, "accuracy")
    assert label["flagged"] and moderator["flagged"]
    window_start = pd.Timestamp(week_range(shift_week(MODERATOR_WEEK, -12))[0])
    assert label["since"] == window_start and moderator["since"] == window_start
    table = standing_table(review)
    row = table[table["Unit"] == SIGNALS.persistent_label].iloc[0]
    assert row["Out of line"] == f"since {shift_week(MODERATOR_WEEK, -12)} (window start)"
    assert any(
        s.startswith("Standing problems over the last 13 weeks") and SIGNALS.persistent_label in s
        for s in summary_sentences(review)
    )
    report = render_html(review)
    assert '<section id="standing">' in report and SIGNALS.persistent_moderator in report
