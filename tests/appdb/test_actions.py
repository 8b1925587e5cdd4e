"""Recorded actions on every app database engine: versions kept, impact model frozen."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from appdb import actions
from appdb.actions import Action, ImpactModel, InvalidAction, UnknownAction
from appdb.migrations import applied
from appdb.store import open_app_db

RETRAINING = Action(
    title="Retrained Northwind's Indonesian listing team",
    kind="training",
    start=dt.date(2026, 9, 7),
    description="Two days on the prohibited-items guideline.",
    owner="Ayu",
    link="https://wiki.example.com/retraining",
    markets=("ID",),
    policy_areas=("listing",),
    vendors=("northwind",),
    impact=ImpactModel(
        metric="accuracy", direction="up", window_weeks=4, control_markets=("PH", "VN")
    ),
)


def test_a_created_action_reads_back_as_version_one_with_its_impact_model(app_db_url):
    engine = open_app_db(app_db_url)
    stored = actions.create_action(engine, RETRAINING, by="ayu@example.com")
    assert stored.version == 1 and stored.action_id is not None
    assert stored.title == RETRAINING.title and stored.start == dt.date(2026, 9, 7)
    assert stored.end is None
    assert stored.markets == ("ID",) and stored.vendors == ("northwind",) and stored.labels == ()
    assert stored.impact == RETRAINING.impact
    assert stored.recorded_by == "ayu@example.com"
    engine.dispose()


def test_every_edit_is_a_new_version_and_old_versions_stay(app_db_url):
    engine = open_app_db(app_db_url)
    first = actions.create_action(engine, RETRAINING)
    actions.edit_action(engine, first.action_id, {"title": "Retrained Northwind (ID)"})
    actions.edit_action(
        engine, first.action_id, {"end": dt.date(2026, 9, 9), "markets": ("ID", "SG")}
    )
    versions = actions.history(engine, first.action_id)
    assert [v.version for v in versions] == [1, 2, 3]
    assert [v.title for v in versions] == [
        RETRAINING.title,
        "Retrained Northwind (ID)",
        "Retrained Northwind (ID)",
    ]
    assert versions[0].end is None and versions[2].end == dt.date(2026, 9, 9)
    assert versions[1].markets == ("ID",) and versions[2].markets == ("ID", "SG")
    assert actions.get_action(engine, first.action_id).version == 3
    assert [a.action_id for a in actions.list_actions(engine)] == [first.action_id]
    engine.dispose()


def test_the_impact_model_cannot_be_edited(app_db_url):
    engine = open_app_db(app_db_url)
    first = actions.create_action(engine, RETRAINING)
    with pytest.raises(InvalidAction, match="frozen"):
        actions.edit_action(engine, first.action_id, {"window_weeks": 8})
    with pytest.raises(UnknownAction):
        actions.edit_action(engine, first.action_id + 99, {"title": "x"})
    assert len(actions.history(engine, first.action_id)) == 1
    engine.dispose()


def test_a_second_start_migrates_nothing_and_keeps_every_version(app_db_url):
    engine = open_app_db(app_db_url)
    first = actions.create_action(engine, RETRAINING)
    actions.edit_action(engine, first.action_id, {"owner": "Budi"})
    before = actions.history(engine, first.action_id)
    migrations = applied(engine)
    engine.dispose()
    again = open_app_db(app_db_url)
    assert applied(again) == migrations and "actions_0001_tables" in migrations
    assert actions.history(again, first.action_id) == before
    with again.connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(actions.action_versions))
        assert count.scalar_one() == 2
    again.dispose()


def test_actions_overlapping_a_view_and_the_market_hook(app_db_url):
    engine = open_app_db(app_db_url)
    indonesia = actions.create_action(engine, RETRAINING)
    everywhere = actions.create_action(
        engine,
        Action(title="New appeal tooling", kind="tooling", start=dt.date(2026, 8, 3)),
    )
    ids = lambda found: sorted(a.action_id for a in found)  # noqa: E731
    both = sorted([indonesia.action_id, everywhere.action_id])
    assert ids(actions.actions_overlapping(engine, {})) == both
    assert ids(actions.actions_overlapping(engine, {"markets": ("ID", "US")})) == both
    assert ids(actions.actions_overlapping(engine, {"markets": ("US",)})) == [everywhere.action_id]
    assert ids(actions.actions_overlapping(engine, {"policy_areas": ("ipr",)})) == [
        everywhere.action_id
    ]
    # Dates: the Indonesian action runs 7 Sep + 4 weeks = to 4 Oct; the other 3 to 30 Aug.
    late = {"start": dt.date(2026, 10, 5), "end": dt.date(2026, 10, 30)}
    assert ids(actions.actions_overlapping(engine, late)) == []
    early = {"start": dt.date(2026, 8, 25), "end": dt.date(2026, 9, 6)}
    assert ids(actions.actions_overlapping(engine, early)) == [everywhere.action_id]
    # Someone who sees only US never sees the Indonesian action, not even by id.
    assert ids(actions.list_actions(engine, visible_markets=("US",))) == [everywhere.action_id]
    with pytest.raises(UnknownAction):
        actions.get_action(engine, indonesia.action_id, visible_markets=("US",))
    engine.dispose()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "title"),
        ({"kind": "party"}, "kind"),
        ({"end": dt.date(2026, 9, 1)}, "before the start"),
        ({"link": "javascript:alert(1)"}, "web address"),
        ({"impact": ImpactModel(metric="happiness")}, "metrics"),
        ({"impact": ImpactModel(window_weeks=0)}, "window"),
        ({"impact": ImpactModel(control_markets=("ID",))}, "control market"),
    ],
)
def test_invalid_actions_are_refused_with_a_plain_message(changes, message):
    from dataclasses import replace

    with pytest.raises(InvalidAction, match=message):
        actions.validate(replace(RETRAINING, **changes))
