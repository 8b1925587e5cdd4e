"""rate_bars and stacked_share_bars: per-label rates and mixes."""

from __future__ import annotations

import numpy as np
import pytest

from charts import palette, rate_bars, stacked_share_bars


def bars(fig, role):
    return next(trace for trace in fig.data if trace.meta["role"] == role)


def test_bars_sorted_best_first_with_small_samples_last_and_unranked(label_rates):
    fig = rate_bars(label_rates)
    assert list(fig.layout.yaxis.categoryarray) == ["spam", "counterfeit", "adult", "weapons"]
    assert fig.layout.yaxis.autorange == "reversed"  # first category on top


def test_unsorted_bars_keep_the_given_order(label_rates):
    fig = rate_bars(label_rates, sort=False)
    assert list(fig.layout.yaxis.categoryarray) == list(label_rates["label_code"])


def test_small_sample_bar_is_grey(label_rates):
    fig = rate_bars(label_rates)
    small = bars(fig, "small sample")
    assert list(small.y) == ["weapons"]
    assert small.marker.color == palette.NOT_ENOUGH_DATA
    assert bars(fig, "rates").marker.color != palette.NOT_ENOUGH_DATA


def test_error_bars_reach_the_interval(label_rates):
    rates = bars(rate_bars(label_rates), "rates")
    spam = label_rates.set_index("label_code").loc["spam"]
    index = list(rates.y).index("spam")
    assert rates.x[index] + rates.error_x.array[index] == pytest.approx(spam["upper"])
    assert rates.x[index] - rates.error_x.arrayminus[index] == pytest.approx(spam["lower"])


def test_click_payload_and_hover_name_the_label(label_rates):
    rates = bars(
        rate_bars(label_rates, numerator_label="confirmed", denominator_label="rejections"),
        "rates",
    )
    assert [row[0] for row in rates.customdata] == list(rates.y)
    assert "confirmed of" in rates.hovertemplate and "rejections" in rates.hovertemplate
    assert rates.orientation == "h"


def test_market_bars_use_market_colours(label_rates):
    frame = label_rates.assign(market_code=["US", "ID", "BR", "DE"])
    rates = bars(rate_bars(frame, category="market_code"), "rates")
    assert list(rates.marker.color) == [palette.group_colour("market_code", m) for m in rates.y]


def test_rate_axis_is_percent(label_rates):
    assert rate_bars(label_rates).layout.xaxis.tickformat.endswith("%")


def test_shares_of_each_bar_add_to_one_and_empty_rows_are_skipped(error_mix):
    fig = stacked_share_bars(
        error_mix,
        category="market_code",
        parts=["over", "under", "wrong_label"],
        part_labels={"over": "Over-enforcement", "wrong_label": "Wrong label"},
    )
    assert [trace.name for trace in fig.data] == ["Over-enforcement", "under", "Wrong label"]
    totals = np.sum([np.asarray(trace.x, dtype=float) for trace in fig.data], axis=0)
    assert totals == pytest.approx([1.0, 1.0])
    assert list(fig.data[0].y) == ["US", "ID"]
    assert fig.layout.barmode == "stack"
    assert fig.layout.legend.traceorder == "normal"


def test_share_hover_gives_count_and_total(error_mix):
    fig = stacked_share_bars(error_mix, category="market_code", parts=["over", "under"])
    over = fig.data[0]
    assert list(over.customdata[0]) == ["US", 30, 45]
    assert "%{x:.1%}" in over.hovertemplate
    assert fig.layout.xaxis.tickformat.endswith("%")


def test_parts_get_distinct_colours_in_the_order_listed(error_mix):
    fig = stacked_share_bars(error_mix, category="market_code", parts=["over", "under"])
    assert [trace.marker.color for trace in fig.data] == list(palette.PART_COLOURS[:2])
