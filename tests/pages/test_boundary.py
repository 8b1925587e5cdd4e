"""A failure in one part of a page shows a short message there; the rest of the page renders."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

import charts
from data_access import queries
from data_access.errors import (
    DataProblem,
    SchemaMismatch,
    WarehouseBusy,
    classify,
)
from tests.pages.conftest import texts
from ui.boundary import scrubbed

LABELS = "pages/labels.py"


def test_an_unexpected_error_in_one_section_leaves_the_others_and_logs_a_reference(
    app_on_warehouse, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("cannot draw; url postgresql://analyst:hunter2@db.internal/moderation")

    monkeypatch.setattr(charts, "confusion_heatmap", broken)
    with caplog.at_level(logging.ERROR, logger="modqa.pages"):
        # The matrix's section open, and a label chosen: its detail is drawn below.
        app = app_on_warehouse(page=LABELS, section=["matrix"], label_detail=["ipr_counterfeit"])
    assert not app.exception
    (error,) = texts(app.error)
    assert error.startswith("Something went wrong drawing the confusion matrix")
    reference = error.split("Reference ")[1][:8]
    # The other sections are still there.
    assert "Labels by appeal overturn rate, worst first" in texts(app.subheader)
    assert "Label detail: Counterfeit goods" in texts(app.subheader)
    (record,) = [r for r in caplog.records if reference in r.getMessage()]
    logged = record.getMessage()
    assert "RuntimeError" in logged and "Traceback" in logged
    assert "hunter2" not in logged and "analyst:***@db.internal" in logged
    assert "hunter2" not in error


def test_a_busy_warehouse_says_retry_with_a_button(app_on_warehouse, monkeypatch):
    def exhausted(*args, **kwargs):
        raise sa.exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached")

    exhausted.__name__ = "inspection_counts"  # the app looks queries up by name
    monkeypatch.setattr(queries, "inspection_counts", exhausted)
    app = app_on_warehouse()
    assert not app.exception
    assert app.error and all("The warehouse is busy" in text for text in texts(app.error))
    assert "Retry" in [button.label for button in app.button]
    assert not any("QueuePool" in text for text in texts(app.error))


def test_a_missing_table_says_run_validate(app_on_warehouse, monkeypatch):
    def missing(engine, *args, **kwargs):
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT no_such_column FROM decisions"))

    missing.__name__ = "inspection_counts"  # the app looks queries up by name
    monkeypatch.setattr(queries, "inspection_counts", missing)
    app = app_on_warehouse()
    assert not app.exception
    assert app.error
    assert all("does not match the contract" in text for text in texts(app.error))
    assert all("validate" in text for text in texts(app.error))


def _exhausted_pool_error() -> BaseException:
    engine = sa.create_engine(
        "sqlite://", poolclass=sa.pool.QueuePool, pool_size=1, max_overflow=0, pool_timeout=0.01
    )
    held = engine.connect()
    try:
        with engine.connect():
            pass
    except sa.exc.TimeoutError as error:
        return error
    finally:
        held.close()
        engine.dispose()
    raise AssertionError("the pool did not run out")


def _duckdb_error(statement: str) -> BaseException:
    engine = sa.create_engine("duckdb:///:memory:")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(statement))
    except sa.exc.DBAPIError as error:
        return error
    finally:
        engine.dispose()
    raise AssertionError("the statement succeeded")


@pytest.mark.parametrize(
    ("make_error", "kind"),
    [
        (_exhausted_pool_error, WarehouseBusy),
        (lambda: _duckdb_error("SELECT * FROM decisions"), SchemaMismatch),
        (lambda: _duckdb_error("SELECT CAST('not a time' AS TIMESTAMP)"), DataProblem),
        (lambda: sa.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError()), None),
    ],
)
def test_query_errors_are_sorted_into_what_the_reader_can_do(make_error, kind):
    assert classify(make_error()) is kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://me:s3cret@host/db", "postgresql://me:***@host/db"),
        ("host=x password=s3cret user=y", "host=x password=*** user=y"),
        ("{'password': 's3cret'}", "{'password': '***'}"),
    ],
)
def test_logged_tracebacks_never_hold_a_password(text, expected):
    assert scrubbed(text) == expected


def test_a_duckdb_query_past_the_time_limit_is_interrupted_and_offers_retry(
    app_on_warehouse, monkeypatch
):
    monkeypatch.setenv("MODQA_QUERY_TIMEOUT_SECONDS", "1")

    def heavy(engine, *args, **kwargs):
        with engine.connect() as connection:
            connection.execute(
                sa.text(
                    "SELECT count(*) FROM range(100000) a, range(100000) b WHERE a.range <> b.range"
                )
            )

    heavy.__name__ = "inspection_counts"  # the app looks queries up by name
    monkeypatch.setattr(queries, "inspection_counts", heavy)
    app = app_on_warehouse()
    assert not app.exception
    assert app.error and all("The warehouse is busy" in text for text in texts(app.error))
    assert "Retry" in [button.label for button in app.button]
