"""The demo's recorded actions: the retraining shows a significant gain, the tool none."""

from __future__ import annotations

import datetime as dt

from appdb import actions
from appdb.demo_actions import EFFECTIVE_TITLE, NO_EFFECT_TITLE, demo_actions, seed
from appdb.store import open_app_db
from metrics.impact import describe_impact
from review.actions import measure_action, warehouse_counter
from tests.conftest import PLANTED_SPEC, read_only


def test_seeding_twice_records_the_two_demo_actions_once(tmp_path):
    engine = open_app_db(f"sqlite:///{tmp_path / 'app.sqlite'}")
    assert len(seed(engine, PLANTED_SPEC)) == 2
    assert seed(engine, PLANTED_SPEC) == []
    titles = sorted(a.title for a in actions.list_actions(engine))
    assert titles == sorted([EFFECTIVE_TITLE, NO_EFFECT_TITLE])
    engine.dispose()


def test_on_the_demo_the_retraining_worked_and_the_new_tool_did_not(planted_url):
    engine = read_only(planted_url)
    effective, no_effect = demo_actions(PLANTED_SPEC)
    # Both windows have passed by the demo's last day, Sunday 22 Nov 2026.
    as_of = dt.date(2026, 11, 22)
    assert effective.start == dt.date(2026, 9, 14) and effective.evaluation_end < as_of
    assert no_effect.start == dt.date(2026, 8, 3) and no_effect.evaluation_end < as_of

    worked, _ = measure_action(warehouse_counter(engine, "accuracy"), effective, as_of)
    print(describe_impact(worked, "Accuracy"), f"p={worked.p_value:.4f}")
    assert worked.status == "measured" and worked.verdict == "improved"
    # Lumen's error falls to 35% of its ~8%: about 5 points of accuracy, inside the interval.
    assert worked.lower > 0 and worked.lower < 0.05 < worked.upper

    nothing, _ = measure_action(warehouse_counter(engine, "accuracy"), no_effect, as_of)
    print(describe_impact(nothing, "Accuracy"), f"p={nothing.p_value:.4f}")
    assert nothing.status == "measured" and nothing.method == "difference-in-differences"
    assert not nothing.significant and nothing.verdict == "no significant change"
    engine.dispose()
