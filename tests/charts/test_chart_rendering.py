"""Every chart survives an empty selection and serialises for the browser."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

import charts
from charts import palette

RATE_COLUMNS = ["numerator", "denominator", "rate", "lower", "upper", "enough_data"]


def empty_calls() -> dict[str, object]:
    no_rows = pd.DataFrame(columns=["market_code", "period", "policy_area", *RATE_COLUMNS])
    return {
        "trend, no columns at all": lambda: charts.rate_trend(pd.DataFrame()),
        "trend": lambda: charts.rate_trend(no_rows),
        "heatmap": lambda: charts.rate_heatmap(no_rows),
        "confusion": lambda: charts.confusion_heatmap(pd.DataFrame()),
        "funnel": lambda: charts.funnel_plot(pd.DataFrame(), pd.DataFrame()),
        "p-chart": lambda: charts.p_chart_figure(pd.DataFrame()),
        "bars": lambda: charts.rate_bars(no_rows),
        "stacked": lambda: charts.stacked_share_bars(
            pd.DataFrame(), category="market_code", parts=["over"]
        ),
    }


@pytest.mark.parametrize("call", empty_calls().values(), ids=empty_calls().keys())
def test_empty_selection_shows_a_centred_message_instead_of_raising(call):
    fig = call()
    (note,) = fig.layout.annotations
    assert note.text == palette.NO_DATA_MESSAGE
    assert (note.x, note.y, note.xref, note.yref) == (0.5, 0.5, "paper", "paper")
    assert len(fig.data) == 0


def test_only_nan_rates_count_as_empty(market_weeks):
    all_nan = market_weeks.assign(rate=np.nan)
    for fig in (
        charts.rate_trend(all_nan),
        charts.rate_heatmap(all_nan, columns="period"),
        charts.rate_bars(all_nan.drop_duplicates("market_code"), category="market_code"),
    ):
        assert fig.layout.annotations[0].text == palette.NO_DATA_MESSAGE


def reject_bare_constant(token: str) -> None:
    raise ValueError(f"bare {token} in figure JSON")


@pytest.fixture
def figures(
    market_weeks,
    market_policy_cells,
    label_rates,
    funnel_frames,
    p_chart_frame,
    error_mix,
    confusion_counts,
):
    return {
        "trend": charts.rate_trend(market_weeks, numerator_label="correct"),
        "heatmap": charts.rate_heatmap(market_policy_cells),
        "confusion": charts.confusion_heatmap(confusion_counts, confusion_counts),
        "funnel": charts.funnel_plot(*funnel_frames),
        "p-chart": charts.p_chart_figure(p_chart_frame),
        "bars": charts.rate_bars(label_rates),
        "stacked": charts.stacked_share_bars(
            error_mix, category="market_code", parts=["over", "under", "wrong_label"]
        ),
        "empty": charts.rate_trend(pd.DataFrame()),
    }


def test_every_chart_renders_to_html_and_round_trips_through_json(figures):
    for name, fig in figures.items():
        assert "cdn.plot.ly" in fig.to_html(include_plotlyjs="cdn"), name
        text = fig.to_json()
        json.loads(text, parse_constant=reject_bare_constant)  # NaN is not JSON to a browser
        assert len(pio.from_json(text).data) == len(fig.data), name


def test_every_chart_uses_the_house_layout(figures):
    for name, fig in figures.items():
        assert fig.layout.legend.orientation == "h", name
        assert fig.layout.font.family == palette.FONT_FAMILY, name


def test_charts_load_without_streamlit_sql_or_other_layers():
    code = (
        "import sys, charts; "
        "print(sorted({'streamlit', 'sqlalchemy', 'metrics', 'data_access', 'ui', 'pages'}"
        " & {name.split('.')[0] for name in sys.modules}))"
    )
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
