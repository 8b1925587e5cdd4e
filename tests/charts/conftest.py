"""Small tidy frames shaped like the metric library's output, built by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

MINIMUM_SAMPLE = 30


def with_rates(counts: pd.DataFrame) -> pd.DataFrame:
    """Return ``counts`` with rate, 95% Wilson lower/upper and enough_data, as metrics adds."""
    z = 1.959963984540054
    k = counts["numerator"].astype(float)
    n = counts["denominator"].astype(float).replace(0.0, np.nan)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return counts.assign(
        rate=p,
        lower=centre - half,
        upper=centre + half,
        enough_data=counts["denominator"] >= MINIMUM_SAMPLE,
    )


@pytest.fixture
def market_weeks() -> pd.DataFrame:
    """Three markets over three weeks; ID's second week has only 12 inspections."""
    weeks = pd.to_datetime(["2024-03-04", "2024-03-11", "2024-03-18"])
    rows = [
        ("US", weeks[0], 1234, 1325),
        ("US", weeks[1], 1180, 1290),
        ("US", weeks[2], 1201, 1300),
        ("ID", weeks[0], 410, 450),
        ("ID", weeks[1], 10, 12),
        ("ID", weeks[2], 395, 430),
        ("BR", weeks[0], 280, 300),
        ("BR", weeks[1], 270, 295),
        ("BR", weeks[2], 0, 0),
    ]
    counts = pd.DataFrame(rows, columns=["market_code", "period", "numerator", "denominator"])
    return with_rates(counts)


@pytest.fixture
def market_policy_cells() -> pd.DataFrame:
    """Market x policy-area cells; DE/ipr has 12 inspections, DE/content none at all."""
    rows = [
        ("US", "partner", 950, 1000),
        ("US", "listing", 880, 1000),
        ("US", "content", 700, 800),
        ("US", "ipr", 190, 200),
        ("DE", "partner", 300, 320),
        ("DE", "listing", 240, 300),
        ("DE", "ipr", 9, 12),
        ("DE", "content", 0, 0),
    ]
    counts = pd.DataFrame(rows, columns=["market_code", "policy_area", "numerator", "denominator"])
    return with_rates(counts)


@pytest.fixture
def label_rates() -> pd.DataFrame:
    """Per-label precision; 'weapons' has only 8 rejections."""
    counts = pd.DataFrame(
        {
            "label_code": ["spam", "counterfeit", "weapons", "adult"],
            "numerator": [380, 100, 7, 60],
            "denominator": [400, 120, 8, 90],
        }
    )
    return with_rates(counts)


@pytest.fixture
def funnel_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Moderators and 95% / 99.8% funnel limits around an overall rate of 0.9."""
    overall = 0.9
    units = pd.DataFrame(
        {
            "moderator_id": ["m1", "m2", "m3", "m4", "m5"],
            "denominator": [50, 400, 1200, 15, 800],
            "rate": [0.92, 0.97, 0.80, 1.0, np.nan],
            "position": ["inside", "above", "below", "too small", "inside"],
        }
    ).assign(overall_rate=overall)
    volume = np.geomspace(10, 2000, 25)
    se = np.sqrt(overall * (1 - overall) / volume)
    limits = pd.DataFrame(
        {
            "volume": volume,
            "lower_95": np.clip(overall - 1.96 * se, 0, 1),
            "upper_95": np.clip(overall + 1.96 * se, 0, 1),
            "lower_998": np.clip(overall - 3.09 * se, 0, 1),
            "upper_998": np.clip(overall + 3.09 * se, 0, 1),
        }
    )
    # Shuffled, as a SQL result may come back in any order.
    return units, limits.sample(frac=1.0, random_state=3)


@pytest.fixture
def p_chart_frame() -> pd.DataFrame:
    """Six weeks of a p-chart; week 4 falls below its lower limit, week 5 has no data."""
    denominator = np.array([400, 420, 380, 410, 0, 390])
    centre = 0.93
    sigma3 = 3 * np.sqrt(centre * (1 - centre) / np.where(denominator > 0, denominator, np.nan))
    rate = np.array([0.94, 0.92, 0.935, 0.85, np.nan, 0.93])
    return pd.DataFrame(
        {
            "period": pd.date_range("2024-01-01", periods=6, freq="W-MON"),
            "rate": rate,
            "centre": centre,
            "lower_limit": np.clip(centre - sigma3, 0, 1),
            "upper_limit": np.clip(centre + sigma3, 0, 1),
            "breach": [False, False, False, True, False, False],
            "denominator": denominator,
        }
    )


@pytest.fixture
def error_mix() -> pd.DataFrame:
    """Counts of each kind of QA-found error per market; BR had no errors at all."""
    return pd.DataFrame(
        {
            "market_code": ["US", "ID", "BR"],
            "over": [30, 10, 0],
            "under": [15, 5, 0],
            "wrong_label": [5, 25, 0],
        }
    )


@pytest.fixture
def confusion_counts() -> pd.DataFrame:
    """Moderator label (rows) vs QA label (columns); 'approve' is not listed first."""
    labels = ["spam", "approve", "counterfeit"]
    return pd.DataFrame([[80, 15, 5], [10, 180, 10], [4, 6, 30]], index=labels, columns=labels)
