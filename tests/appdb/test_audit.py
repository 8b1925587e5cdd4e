"""The audit trail keeps each event with its user, page, effective filters and time."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from appdb import audit
from appdb.store import open_app_db
from data_access.filters import Filters, Grant, Scope


def test_events_are_kept_newest_first_with_their_effective_filters(app_db_url):
    engine = open_app_db(app_db_url)
    scope = Scope.of([Grant(("ID",), ("acme",))])
    shown = Filters(dt.date(2026, 10, 5), dt.date(2026, 11, 1), markets=("ID", "US")).within(scope)
    at = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    audit.record(
        engine, user="ann@example.com", page="overview", event="view", filters=shown, at=at
    )
    audit.record(
        engine,
        user="ann@example.com",
        page="overview",
        event="csv",
        filters=shown,
        detail="accuracy.csv",
        at=at + dt.timedelta(minutes=1),
    )
    rows = audit.recent(engine)
    assert list(rows["event"]) == ["csv", "view"]
    assert rows["occurred_at"].iloc[1] == dt.datetime(2026, 11, 2, 9, 0)
    stored = json.loads(rows["filters"].iloc[0])
    assert stored["markets"] == ["ID", "US"]
    assert stored["scope"] == [{"markets": ["ID"], "vendors": ["acme"]}]
    assert list(audit.recent(engine, event="view")["event"]) == ["view"]
    engine.dispose()


def test_an_unknown_event_is_refused(tmp_path):
    engine = open_app_db(f"sqlite:///{tmp_path / 'app.sqlite'}")
    with pytest.raises(ValueError, match="event must be one of"):
        audit.record(engine, user="a", page="p", event="delete")
