"""The Overview asks the warehouse once per source and filter set, and other pages reuse it."""

from __future__ import annotations

from collections import Counter

from data_access.statements import recorded


def test_the_overview_scans_each_source_once_per_filter_set(app_on_warehouse):
    with recorded() as log:
        app = app_on_warehouse(metric="overturn_rate")
    assert not app.exception
    # The count queries: grouped scans of a fact table (lookups of a newest timestamp are not).
    grouped = [s for s in log.statements if s.source and "GROUP BY" in s.sql.upper()]
    scans = Counter((s.source, s.date_range) for s in grouped)
    repeated = {key: count for key, count in scans.items() if count > 1}
    assert not repeated, f"scanned more than once: {repeated}"
    sources = {source for source, _ in scans}
    assert {"qa_inspections", "appeals", "penalties"} <= sources
    # The judged period, the period it is compared with, and the trend's weeks: at most
    # three filter sets, so at most three scans of any source.
    assert max(Counter(source for source, _ in scans).values()) <= 3


def test_the_labels_page_reuses_the_overview_error_counts(app_on_warehouse):
    app = app_on_warehouse()
    with recorded() as log:
        app.switch_page("pages/labels.py")
        app.run()
    assert not app.exception
    inspection_scans = [s for s in log.statements if s.source == "qa_inspections"]
    # By label (this and the previous period) and the label counts; the error mix by
    # market and by policy area comes from the Overview's frame.
    grouped_by_market = [s for s in inspection_scans if "market_code" in s.sql.split("FROM")[0]]
    assert grouped_by_market == []
