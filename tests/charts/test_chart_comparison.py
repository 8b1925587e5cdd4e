"""One unit against a reference: trends, label mixes, and funnel labels and highlights."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import charts
from charts import palette
from charts.comparison import (
    highlight_unit,
    label_units,
    paired_share_bars,
    rate_against_reference,
)
from tests.charts.conftest import with_rates


def roles(fig) -> list[str]:
    return [trace.meta["role"] for trace in fig.data]


def weeks(numerators, denominators) -> pd.DataFrame:
    periods = pd.date_range("2026-10-05", periods=len(numerators), freq="7D")
    counts = pd.DataFrame({"period": periods, "numerator": numerators, "denominator": denominators})
    return with_rates(counts)


def test_the_unit_is_drawn_over_a_dark_dashed_reference_with_bands():
    fig = rate_against_reference(
        weeks([40, 30, 12], [50, 50, 20]),
        weeks([900, 910, 400], [1000, 1000, 450]),
        label="M0042",
        reference_label="All moderators",
    )
    assert roles(fig)[:4] == ["reference band", "reference", "band", "rate"]
    reference = next(t for t in fig.data if t.meta["role"] == "reference")
    assert reference.name == "All moderators"
    assert (reference.line.color, reference.line.dash) == (palette.CENTRE_LINE, "dash")
    unit = next(t for t in fig.data if t.meta["role"] == "rate")
    assert unit.name == "M0042" and unit.line.color != palette.CENTRE_LINE
    assert list(unit.marker.symbol) == ["circle", "circle", "circle-open"], "n=20 is too small"
    assert fig.layout.yaxis.tickformat.endswith("%")


def test_a_unit_without_data_still_shows_the_reference_and_nothing_gives_the_empty_figure():
    empty = weeks([], [])
    fig = rate_against_reference(empty, weeks([9], [10]), label="M1")
    assert roles(fig) == ["reference band", "reference"]
    nothing = rate_against_reference(empty, empty, label="M1")
    assert nothing.layout.annotations[0].text == palette.NO_DATA_MESSAGE


def test_immature_unit_rows_are_faded():
    rates = weeks([40, 30], [50, 50]).assign(immature=[False, True])
    fig = rate_against_reference(rates, weeks([9, 9], [10, 10]), label="x", immature="immature")
    unit = next(t for t in fig.data if t.meta["role"] == "rate")
    assert list(unit.marker.opacity) == [1.0, 0.35]


def mix() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label_code": ["spam", "counterfeit", "_other"],
            "count": [6, 3, 1],
            "reference_count": [100, 300, 600],
        }
    )


def test_paired_bars_show_each_sides_share_of_its_own_total():
    fig = paired_share_bars(
        mix(), category="label_code", label="M0042", category_labels={"_other": "Other labels"}
    )
    unit, reference = fig.data
    assert list(unit.x) == [0.6, 0.3, 0.1]
    assert list(reference.x) == [0.1, 0.3, 0.6]
    assert list(unit.y) == ["spam", "counterfeit", "Other labels"]
    assert fig.layout.barmode == "group" and fig.layout.yaxis.autorange == "reversed"


def test_paired_bars_with_no_unit_counts_are_empty():
    fig = paired_share_bars(mix().assign(count=0), category="label_code", label="M1")
    assert fig.layout.annotations[0].text == palette.NO_DATA_MESSAGE


def test_funnel_units_are_named_beside_their_points_pointing_inwards(funnel_frames):
    fig = label_units(charts.funnel_plot(*funnel_frames))
    units = [t for t in fig.data if t.meta["role"] == "units"]
    named = {text: side for t in units for text, side in zip(t.text, t.textposition, strict=True)}
    assert set(named) == {"m1", "m2", "m3", "m4"}
    # m4 is at the left edge and the top (100%): its name points right and goes below, since
    # Plotly clips text at the plot's edge.
    assert named["m4"] == "bottom right", "the smallest volume is at the left edge"
    assert named["m3"] == "top left", "the largest at the right edge"
    assert all(t.mode == "markers+text" for t in units)


def test_a_highlighted_unit_gets_one_ring_without_click_data(funnel_frames):
    fig = highlight_unit(charts.funnel_plot(*funnel_frames), "m3")
    (ring,) = [t for t in fig.data if t.meta["role"] == "highlight"]
    assert (list(ring.x), list(ring.y)) == ([1200], [0.8])
    assert ring.customdata is None and ring.name == "Selected: m3"
    unchanged = highlight_unit(charts.funnel_plot(*funnel_frames), "nobody")
    assert "highlight" not in roles(unchanged)


def test_the_new_chart_modules_load_without_streamlit_sql_or_other_layers():
    code = (
        "import sys, charts.appeals, charts.penalties, charts.comparison; "
        "print(sorted({'streamlit', 'sqlalchemy', 'metrics', 'data_access', 'ui', 'pages'}"
        " & {name.split('.')[0] for name in sys.modules}))"
    )
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_funnel_units_close_in_volume_alternate_above_and_below_and_show_names(funnel_frames):
    units, limits = funnel_frames
    # m2 (400) and a new m6 (420) sit almost on top of each other on the log volume axis.
    crowded = pd.concat(
        [units, units.iloc[[1]].assign(moderator_id="m6", denominator=420, rate=0.95)]
    )
    fig = label_units(charts.funnel_plot(crowded, limits), {"m2": "Northwind BPO"})
    shown = [t for t in fig.data if t.meta["role"] == "units"]
    named = {text: side for t in shown for text, side in zip(t.text, t.textposition, strict=True)}
    assert "Northwind BPO" in named and "m2" not in named
    assert {named["Northwind BPO"].split()[0], named["m6"].split()[0]} == {"top", "bottom"}


def test_vendor_names_close_in_volume_and_rate_do_not_share_a_side():
    # The seven vendors of the 100M demo warehouse: Apex and Kestrel sit 7% apart in volume
    # and 0.1 points apart in accuracy, and their names (placed by volume alone) overlapped.
    overall = 0.9365
    vendors = pd.DataFrame(
        {
            "vendor_code": ["inhouse", "lumen", "meridian", "bluefin", "north", "apex", "kestrel"],
            "denominator": [375760, 286672, 264196, 278102, 341847, 228884, 244189],
            "rate": [0.9394, 0.9559, 0.9477, 0.9227, 0.9201, 0.9355, 0.9368],
            "position": ["above", "above", "above", "below", "below", "inside", "inside"],
        }
    ).assign(overall_rate=overall)
    volume = np.geomspace(200_000, 400_000, 20)
    spread = np.sqrt(overall * (1 - overall) / volume)
    limits = pd.DataFrame(
        {"volume": volume}
        | {
            f"{side}_{level}": overall + sign * z * spread
            for side, sign in (("lower", -1), ("upper", 1))
            for level, z in (("95", 1.96), ("998", 3.09))
        }
    )
    names = {
        "inhouse": "In-house team",
        "lumen": "Lumen Outsourcing",
        "meridian": "Meridian Ops",
        "bluefin": "Bluefin Trust & Safety",
        "north": "Northwind BPO",
        "apex": "Apex Review Services",
        "kestrel": "Kestrel Partners",
    }
    fig = label_units(charts.funnel_plot(vendors, limits, unit="vendor_code"), names)
    shown = [t for t in fig.data if t.meta["role"] == "units"]
    side = {text: place for t in shown for text, place in zip(t.text, t.textposition, strict=True)}
    assert side["Apex Review Services"].split()[0] != side["Kestrel Partners"].split()[0]
    # Bluefin's name reaches right over Northwind's point; Northwind's points inwards, left.
    assert side["Northwind BPO"].endswith("left") and side["Bluefin Trust &amp; Safety"].endswith(
        "right"
    )
    # A name with room keeps the first choice: above its point; the highest point's name goes
    # below, where Plotly does not clip it at the plot's top edge.
    assert side["Meridian Ops"].startswith("top")
    assert side["Lumen Outsourcing"].startswith("bottom")
