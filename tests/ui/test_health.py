"""The data health line says how fresh the data is and whether the pages read rollups."""

from __future__ import annotations

import pandas as pd

from ui.health import health_text

FRESH = pd.DataFrame(
    {"table_name": ["decisions"], "rows": [10], "latest": [pd.Timestamp("2026-11-22 23:10")]}
)


def _rollups(last_day: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rollup": ["modqa_rollup_daily"],
            "last_day": [pd.Timestamp(last_day)],
            "refreshed_at": [pd.Timestamp("2026-11-23 02:00")],
        }
    )


def test_without_rollups_the_line_says_pages_read_the_fact_tables():
    text = health_text(FRESH, pd.DataFrame(columns=["rollup", "last_day", "refreshed_at"]))
    assert text == (
        "Decisions up to 22 Nov 2026 23:10 UTC · no rollups: every page reads the fact tables"
    )


def test_with_fresh_rollups_the_line_gives_their_last_day_and_refresh_time():
    assert health_text(FRESH, _rollups("2026-11-22")).endswith(
        "rollups through 22 Nov 2026, refreshed 23 Nov 02:00 UTC"
    )


def test_stale_rollups_are_called_out():
    assert health_text(FRESH, _rollups("2026-11-20")).endswith(
        "later days are read from the fact tables"
    )
