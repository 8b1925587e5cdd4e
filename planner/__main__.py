"""The QA sampling planner from the command line.

    python -m planner plan --budget N --week YYYY-Www --out plan.csv [--url URL]
                           [--target-margin 0.05] [--risk-share 0.2] [--floor 2]
                           [--moderator-floor 1] [--market CODE ...] [--policy AREA ...]
    python -m planner draw --plan plan.csv --week YYYY-Www --seed S --out sample.csv
                           [--url URL] [--moderator-floor 1]

``plan`` allocates a week's inspection budget over market x policy area x vendor strata from
the weeks before it and writes one row per stratum, with its inclusion probability. ``draw``
draws that week's sample from the week's decisions (seeded: the same inputs and seed give
the same sample) and writes one row per decision to inspect, with ``sampling_weight`` for
the QA tool. Progress goes to stderr, the one-line result to stdout.

Exit status: 0 when the file is written; 1 when the warehouse cannot be read; 2 for bad
arguments, including a budget too small for the floors; 3 when there is nothing to plan or
draw (no decisions in the weeks read).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from data_access import planning, queries
from data_access.config import DEMO_WAREHOUSE_PATH, ConfigurationError, load_settings, redacted
from data_access.engine import read_only_engine
from data_access.errors import QUERY_FAILURES
from data_access.filters import Filters
from metrics.allocation import BudgetTooSmall
from metrics.selection import MIN_PROBABILITY, draw_sample
from planner.plan import STRATUM_KEYS, PlanSettings, build_plan, gather_inputs, plan_table
from review.weeks import describe_week, is_iso_week, week_range

EXIT_OK, EXIT_WAREHOUSE, EXIT_ARGUMENTS, EXIT_NO_DATA = 0, 1, 2, 3
BAR_WIDTH = 24
SAMPLE_COLUMNS = (
    "decision_id",
    "market_code",
    "policy_area",
    "vendor_code",
    "moderator_id",
    "inclusion_probability",
    "sampling_weight",
)


class NothingToDo(Exception):
    """No decisions to plan or draw from; the message says which weeks were read."""


def _iso_week(text: str) -> str:
    if not is_iso_week(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO week like 2026-W40")
    return text


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be between 0 and 1 (0.05 = 5 points)")
    return value


def _parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m planner",
        description="Plan and draw next week's QA inspections with known probabilities.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="allocate a week's inspection budget to strata")
    plan.add_argument("--budget", type=_positive_int, required=True, help="inspections")
    plan.add_argument("--week", type=_iso_week, required=True, help="ISO week to plan")
    plan.add_argument("--out", type=Path, required=True, help="the plan CSV to write")
    plan.add_argument("--target-margin", type=_share, default=0.05, help="default 0.05")
    plan.add_argument("--risk-share", type=_share, default=0.2, help="default 0.2")
    plan.add_argument("--floor", type=int, default=2, help="inspections per stratum (2)")
    plan.add_argument("--moderator-floor", type=int, default=1, help="per moderator (1)")
    plan.add_argument("--market", action="append", default=[], help="plan only this market")
    plan.add_argument("--policy", action="append", default=[], help="only this policy area")
    draw = commands.add_parser("draw", help="draw a week's sample from a plan")
    draw.add_argument("--plan", type=Path, required=True, help="a plan CSV from `plan`")
    draw.add_argument("--week", type=_iso_week, required=True, help="ISO week to draw from")
    draw.add_argument("--seed", type=int, required=True, help="random seed (reproducible)")
    draw.add_argument("--out", type=Path, required=True, help="the sample CSV to write")
    draw.add_argument("--moderator-floor", type=int, default=1, help="per moderator (1)")
    for command in (plan, draw):
        command.add_argument("--url", help="warehouse SQLAlchemy URL (default: configured)")
    return parser.parse_args(argv)


def _progress(fraction: float, message: str) -> None:
    """Draw a progress bar on stderr: in place on a terminal, a line per step in a log."""
    filled = round(fraction * BAR_WIDTH)
    line = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {fraction:4.0%} {message}"
    if sys.stderr.isatty():
        print(f"\r{line}".ljust(88), end="", file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


def _selection(engine: sa.Engine, markets: list[str], policies: list[str]) -> Filters | None:
    """Return filters for the chosen markets and policy areas; ValueError on unknown ones."""
    if not markets and not policies:
        return None
    options = queries.filter_options(engine)
    for values, known, noun in (
        (markets, set(options.markets["market_code"]), "market"),
        (policies, set(options.policy_areas), "policy area"),
    ):
        unknown = [value for value in values if value not in known]
        if unknown:
            raise ValueError(
                f"{', '.join(unknown)} is not a {noun} in this warehouse "
                f"(known: {', '.join(sorted(known))})"
            )
    placeholder = dt.date(2000, 1, 3)  # the planner sets the dates
    return Filters(
        start=placeholder,
        end=placeholder,
        markets=tuple(dict.fromkeys(markets)),
        policy_areas=tuple(dict.fromkeys(policies)),
    )


def run_plan(engine: sa.Engine, arguments: argparse.Namespace) -> str:
    """Write the plan CSV; return the one-line result."""
    settings = PlanSettings(
        budget=arguments.budget,
        target_margin=arguments.target_margin,
        risk_share=arguments.risk_share,
        stratum_floor=arguments.floor,
        moderator_floor=arguments.moderator_floor,
    )
    monday, _ = week_range(arguments.week)
    selection = _selection(engine, arguments.market, arguments.policy)
    inputs = gather_inputs(
        engine,
        monday,
        history_weeks=settings.history_weeks,
        recent_weeks=settings.recent_weeks,
        selection=selection,
        progress=lambda f, m: _progress(0.9 * f, m),
    )
    if not (inputs.strata["expected_decisions"] > 0).any():
        raise NothingToDo(
            f"No decisions in the {settings.recent_weeks} weeks before {arguments.week}: "
            "nothing to plan from."
        )
    _progress(0.92, "Allocating the budget")
    plan = build_plan(inputs, settings)
    table = plan_table(plan)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(arguments.out, index=False)
    summary = plan.summary
    return (
        f"Wrote {arguments.out}: {summary['budget']:,} inspections over {summary['strata']} "
        f"strata for {describe_week(arguments.week)}. Strata expected at ±"
        f"{settings.target_margin * 100:g} points over {settings.horizon_weeks} weeks: "
        f"{summary['planned_judged']} (proportional: {summary['proportional_judged']})."
    )


def _read_plan(path: Path) -> pd.DataFrame:
    """Return the plan CSV's strata and inspections; ValueError when it is not a plan."""
    try:
        plan = pd.read_csv(path, dtype={key: str for key in STRATUM_KEYS})
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read the plan {path}: {error}") from error
    needed = [*STRATUM_KEYS, "inspections"]
    missing = [column for column in needed if column not in plan]
    if missing:
        raise ValueError(f"{path} is not a plan from `python -m planner plan`: no {missing[0]}")
    inspections = pd.to_numeric(plan["inspections"], errors="coerce")
    if inspections.isna().any() or (inspections < 0).any():
        raise ValueError(f"{path} has inspections that are not whole numbers of 0 or more")
    return plan.assign(inspections=inspections.astype("int64"))


def run_draw(engine: sa.Engine, arguments: argparse.Namespace) -> str:
    """Write the sample CSV; return the one-line result."""
    plan = _read_plan(arguments.plan)
    monday, sunday = week_range(arguments.week)
    _progress(0.1, f"Reading the decisions of {arguments.week}")
    frame = planning.sampling_frame(engine, Filters(start=monday, end=sunday))
    if frame.empty:
        raise NothingToDo(f"No decisions in {describe_week(arguments.week)} to draw from.")
    _progress(0.6, f"Drawing from {len(frame):,} decisions")
    draw = draw_sample(
        frame,
        plan,
        keys=STRATUM_KEYS,
        seed=arguments.seed,
        moderator_floor=arguments.moderator_floor,
        min_probability=MIN_PROBABILITY,
    )
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    draw.sample[list(SAMPLE_COLUMNS)].to_csv(arguments.out, index=False)
    topped = int(draw.design["topped_up"].sum())
    return (
        f"Wrote {arguments.out}: {len(draw.sample):,} decisions to inspect of "
        f"{len(frame):,} in {describe_week(arguments.week)} (plan: "
        f"{int(plan['inspections'].sum()):,}; {topped:,} added for floors and strata the plan "
        f"left out, so every decision has a chance), seed {arguments.seed}."
    )


def main(argv: list[str] | None = None) -> int:
    """Run ``plan`` or ``draw``; return the exit status."""
    arguments = _parse_arguments(argv)
    try:
        settings = load_settings()
    except ConfigurationError as error:
        print(f"The configuration needs attention: {error}", file=sys.stderr)
        return EXIT_ARGUMENTS
    url = arguments.url or settings.warehouse_url
    if not arguments.url and settings.is_embedded_demo and not DEMO_WAREHOUSE_PATH.exists():
        print(
            "No warehouse configured and no demo warehouse yet: pass --url, set "
            "MODQA_WAREHOUSE_URL, or run python -m data_access.demo first.",
            file=sys.stderr,
        )
        return EXIT_WAREHOUSE
    started = time.perf_counter()
    engine = read_only_engine(replace(settings, warehouse_url=url))
    command = run_plan if arguments.command == "plan" else run_draw
    try:
        result = command(engine, arguments)
    except NothingToDo as error:
        _end_line()
        print(str(error), file=sys.stderr)
        return EXIT_NO_DATA
    except (BudgetTooSmall, planning.FrameTooLarge, ValueError) as error:
        _end_line()
        print(str(error), file=sys.stderr)
        return EXIT_ARGUMENTS
    except (*QUERY_FAILURES, sa.exc.SQLAlchemyError) as error:
        _end_line()
        reason = type(getattr(error, "orig", None) or error).__name__
        print(f"The warehouse at {redacted(url)} did not answer: {reason}.", file=sys.stderr)
        return EXIT_WAREHOUSE
    finally:
        engine.dispose()
    _progress(1.0, "Done")
    _end_line()
    print(f"{result} ({time.perf_counter() - started:.1f} s)")
    return EXIT_OK


def _end_line() -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
