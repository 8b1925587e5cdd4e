"""The Overview asks the warehouse once per source and filter set, and other pages reuse it."""

from __future__ import annotations

from data_access.statements import recorded


def test_the_overview_scans_each_source_once_per_filter_set(app_on_warehouse):
    with recorded() as log:
        app = app_on_warehouse(metric="overturn_rate")
    assert not app.exception
    scans = log.scans()
    repeated = {key: count for key, count in scans.items() if count > 1}
    assert not repeated, f"scanned more than once: {repeated}"
    sources = {source for source, _ in scans}
    # QA inspections, appeals and penalties for the tiles, each for this and the previous
    # period; decisions only for the option lists and the freshness line.
    assert {"qa_inspections", "appeals", "penalties"} <= sources
    assert sum(count for (source, _), count in scans.items() if source == "qa_inspections") == 2


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
