"""The demo's recorded actions: one followed by a planted improvement, one with no effect.

    python -m appdb.demo_actions [--app-db URL] [--end YYYY-MM-DD]

Dates follow the demo warehouse's end date (``DemoSpec.end``, default yesterday), like its
planted signals, so the two actions sit at the same place in any demo. Seeding is
idempotent: an action whose title is already recorded is not recorded again.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys

import sqlalchemy as sa

from appdb.actions import Action, ImpactModel, create_action, list_actions
from appdb.store import open_app_db
from data_access.demo import DemoSpec, PlantedSignals

EFFECTIVE_TITLE = "Retrained Lumen Outsourcing's moderators"
NO_EFFECT_TITLE = "New image-zoom tool for United States moderators"
# The no-effect action's 6-week window ends before the planted moderator (8 weeks) and the
# Lumen retraining (10 weeks) start, so nothing planted falls inside it.
NO_EFFECT_WEEKS_BEFORE_END = 16


def _monday(spec: DemoSpec, weeks_before_end: int) -> dt.date:
    """Return the Monday ``weeks_before_end`` weeks before the demo's end (as signals count)."""
    last_monday = spec.end - dt.timedelta(days=spec.end.weekday())
    return last_monday - dt.timedelta(weeks=weeks_before_end - 1)


def demo_actions(spec: DemoSpec) -> list[Action]:
    """Return the two demo actions for a demo warehouse generated from ``spec``."""
    signals = spec.signals or PlantedSignals()
    return [
        Action(
            title=EFFECTIVE_TITLE,
            kind="training",
            start=_monday(spec, signals.improvement_weeks),
            description=(
                "Two-day refresher for every Lumen Outsourcing moderator after their accuracy "
                "trailed the other vendors for months; quality leads re-checked the first "
                "week's decisions."
            ),
            owner="Vendor quality team",
            link="https://wiki.example.com/quality/lumen-retraining",
            vendors=(signals.improvement_vendor,),
            impact=ImpactModel(metric="accuracy", direction="up", window_weeks=6),
        ),
        Action(
            title=NO_EFFECT_TITLE,
            kind="tooling",
            start=_monday(spec, NO_EFFECT_WEEKS_BEFORE_END),
            description=(
                "Moderators in the United States can zoom into listing images; the hope was "
                "fewer missed prohibited items."
            ),
            owner="Moderation tooling",
            link="https://wiki.example.com/tooling/image-zoom",
            markets=("US",),
            impact=ImpactModel(
                metric="accuracy", direction="up", window_weeks=6, control_markets=("GB", "DE")
            ),
        ),
    ]


def seed(engine: sa.Engine, spec: DemoSpec) -> list[Action]:
    """Record the demo actions not yet in the app database; return those recorded now."""
    present = {action.title for action in list_actions(engine)}
    return [
        create_action(engine, action, by="demo")
        for action in demo_actions(spec)
        if action.title not in present
    ]


def seed_app_db(spec: DemoSpec, url: str | None = None) -> list[Action]:
    """Seed the demo actions into the app database at ``url`` (default: the configured one)."""
    engine = open_app_db(url)
    try:
        return seed(engine, spec)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Seed the demo actions from the command line; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m appdb.demo_actions",
        description="Record the demo's two actions in the app database.",
    )
    parser.add_argument("--app-db", help="app database URL (default: the configured one)")
    parser.add_argument(
        "--end", type=dt.date.fromisoformat, help="the demo's last day (default: yesterday)"
    )
    arguments = parser.parse_args(argv)
    spec = DemoSpec()
    if arguments.end:
        spec = dataclasses.replace(spec, end=arguments.end)
    recorded = seed_app_db(spec, arguments.app_db)
    for action in recorded:
        print(f"Recorded action {action.action_id}: {action.title} (from {action.start})")
    if not recorded:
        print("The demo actions are already recorded.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
