"""The weekly review from the command line, for scheduled reports.

    python -m review weekly-report [--week 2026-W40] --out report.html [--url URL]
                                   [--app-url URL] [--market CODE ...] [--policy AREA ...]
                                   [--as-user EMAIL]

``--url`` is the warehouse (SQLAlchemy URL, default: the configured one); ``--app-url`` is
the dashboard's address, used for the links in "What moved". Without ``--week`` the last
complete week is reviewed. ``--as-user`` limits the report to what that email may see
through the role map (``MODQA_ROLE_MAP``), and the report says whose scope it is. Progress
goes to stderr, the one-line result to stdout.

Exit status: 0 when the report is written; 1 when the warehouse cannot be read; 2 for bad
arguments; 3 when the week holds no decisions (the report, saying so, is still written, so
a scheduled job notices an empty week instead of mailing a blank report silently).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from access.entitlements import load_access_settings, resolve_email
from charts.names import dimension_names
from data_access import queries
from data_access.config import DEMO_WAREHOUSE_PATH, ConfigurationError, load_settings, redacted
from data_access.engine import read_only_engine
from data_access.errors import QUERY_FAILURES
from data_access.filters import EVERYTHING, Filters, Scope
from review.report import render_html
from review.weekly import LinkTarget, build_review
from review.weeks import describe_week, is_iso_week, last_complete_week

# The report's links are built by the dashboard's own link module, so a link from a mailed
# report opens exactly the view the page would link to. It is pure (no Streamlit).
from ui.links import View, share_url

DEFAULT_APP_URL = "http://localhost:8501"
BAR_WIDTH = 24
EXIT_OK, EXIT_WAREHOUSE, EXIT_ARGUMENTS, EXIT_NO_DATA = 0, 1, 2, 3


def _iso_week(text: str) -> str:
    if not is_iso_week(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO week like 2026-W40")
    return text


def _parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m review",
        description="Weekly review of moderation quality: what moved, what breached limits.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser(
        "weekly-report", help="write the weekly review as one self-contained HTML file"
    )
    report.add_argument(
        "--week", type=_iso_week, help="ISO week, e.g. 2026-W40 (default: last complete week)"
    )
    report.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    report.add_argument("--url", help="warehouse SQLAlchemy URL (default: the configured one)")
    report.add_argument(
        "--app-url",
        default=DEFAULT_APP_URL,
        help=f"dashboard address for the report's links (default: {DEFAULT_APP_URL})",
    )
    report.add_argument("--market", action="append", default=[], help="review only this market")
    report.add_argument(
        "--policy", action="append", default=[], help="review only this policy area"
    )
    report.add_argument(
        "--as-user",
        metavar="EMAIL",
        help="limit the report to this user's access, resolved through the role map",
    )
    return parser.parse_args(argv)


def _progress(fraction: float, message: str) -> None:
    """Draw a progress bar on stderr: rewritten in place on a terminal, a line per step in a
    log (a scheduler's log would otherwise hold one endless line)."""
    filled = round(fraction * BAR_WIDTH)
    line = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {fraction:4.0%} {message}"
    if sys.stderr.isatty():
        print(f"\r{line}".ljust(88), end="", file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


def link_builder(app_url: str) -> Callable[[LinkTarget], str]:
    """Return a function turning a finding's ``LinkTarget`` into a dashboard address."""
    root = app_url.rstrip("/")

    def link_for(target: LinkTarget) -> str:
        return share_url(
            f"{root}/{target.page}", View(filters=target.filters, choices=target.choices)
        )

    return link_for


def _selection(
    engine: sa.Engine, markets: list[str], policies: list[str], scope: Scope = EVERYTHING
) -> Filters | None:
    """Return the filters for the chosen markets and policy areas within ``scope``, or raise
    on unknown ones and on markets outside the scope."""
    if not markets and not policies and scope.is_everything:
        return None
    options = queries.filter_options(engine, scope=scope)
    for values, known, noun in (
        (markets, set(options.markets["market_code"]), "market"),
        (policies, set(options.policy_areas), "policy area"),
    ):
        unknown = [value for value in values if value not in known]
        if unknown and noun == "market" and not scope.is_everything:
            raise ValueError(
                f"{', '.join(unknown)} is outside the access of this user ({scope.describe()})"
            )
        if unknown:
            raise ValueError(
                f"{', '.join(unknown)} is not a {noun} in this warehouse "
                f"(known: {', '.join(sorted(known))})"
            )
    # build_review takes only the dimension selections; the week sets the dates.
    placeholder = dt.date(2000, 1, 3)
    return Filters(
        start=placeholder,
        end=placeholder,
        markets=tuple(dict.fromkeys(markets)),
        policy_areas=tuple(dict.fromkeys(policies)),
        scope=scope,
    )


def _unwritable(out: Path) -> str | None:
    """Return why the report cannot be written to ``out``, or None when it can."""
    if out.is_dir():
        return f"{out} is a folder; give a file name such as {out / 'weekly-review.html'}"
    folder = out.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"the folder {folder} cannot be created: {error.strerror or error}"
    if not os.access(folder, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK)):
        return f"{out} cannot be written (no permission)"
    return None


def _malformed_url(url: str) -> bool:
    try:
        _ = sa.make_url(url).port  # a port that is not a number raises ValueError here
    except (sa.exc.ArgumentError, ValueError):
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    """Write a weekly review report from the command line; return the exit status."""
    arguments = _parse_arguments(argv)
    # Checked before the review is computed, so a typo costs a second, not a whole review.
    problem = _unwritable(arguments.out)
    if problem:
        print(f"Cannot write the report: {problem}.", file=sys.stderr)
        return EXIT_ARGUMENTS
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
    if _malformed_url(url):
        print(
            f"{redacted(url)} is not a database URL like postgresql+psycopg://user@host/db "
            "(is the port a number?).",
            file=sys.stderr,
        )
        return EXIT_ARGUMENTS
    scope, scope_note = EVERYTHING, None
    if arguments.as_user:
        try:
            access = resolve_email(arguments.as_user, load_access_settings())
        except ConfigurationError as error:
            print(f"The configuration needs attention: {error}", file=sys.stderr)
            return EXIT_ARGUMENTS
        if not access.has_access:
            print(f"{arguments.as_user} has no access to any market.", file=sys.stderr)
            return EXIT_ARGUMENTS
        scope = access.scope
        scope_note = f"Data within the access of {access.user}: {scope.describe()}."
    started = time.perf_counter()
    try:
        engine = read_only_engine(replace(settings, warehouse_url=url))
    except (sa.exc.ArgumentError, ImportError) as error:
        # An unknown dialect or a driver that is not installed.
        print(f"Cannot use the warehouse URL {redacted(url)}: {error}", file=sys.stderr)
        return EXIT_ARGUMENTS
    try:
        selection = _selection(engine, arguments.market, arguments.policy, scope)
        week = arguments.week
        if week is None:
            latest = queries.freshness(engine).set_index("table_name").loc["decisions", "latest"]
            if pd.isna(latest):
                print(f"The warehouse at {redacted(url)} holds no decisions.", file=sys.stderr)
                return EXIT_NO_DATA
            week = last_complete_week(pd.Timestamp(latest).to_pydatetime())
        options = queries.filter_options(engine, scope=scope)
        names = dimension_names(
            options.markets, options.labels, options.vendors, options.policy_areas, options.queues
        )
        review = build_review(
            engine,
            week,
            selection,
            min_sample=settings.min_sample,
            appeal_window_days=settings.appeal_window_days,
            progress=_progress,
        )
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return EXIT_ARGUMENTS
    except (*QUERY_FAILURES, sa.exc.SQLAlchemyError) as error:
        reason = type(getattr(error, "orig", None) or error).__name__
        if sys.stderr.isatty():
            print(file=sys.stderr)  # end the progress bar's line
        print(f"The warehouse at {redacted(url)} did not answer: {reason}.", file=sys.stderr)
        return EXIT_WAREHOUSE
    finally:
        engine.dispose()
    _progress(1.0, f"Drawing the figures and writing {arguments.out}")
    document = render_html(
        review,
        link_for=link_builder(arguments.app_url),
        source=redacted(url),
        scope_note=scope_note,
        names=names,
    )
    try:
        arguments.out.write_text(document, encoding="utf-8")
    except OSError as error:
        print(f"Cannot write the report to {arguments.out}: {error.strerror}.", file=sys.stderr)
        return EXIT_ARGUMENTS
    if sys.stderr.isatty():
        print(file=sys.stderr)
    elapsed = time.perf_counter() - started
    breaches = review.breaches
    this_week = int(breaches["in_reviewed_week"].sum()) if len(breaches) else 0
    print(
        f"Wrote {arguments.out} ({len(document.encode()) / 1e6:.1f} MB) for "
        f"{describe_week(week)} in {elapsed:.1f} s. Moved: {len(review.movers)}; "
        f"control-chart breaches this week: {this_week}."
    )
    if not review.has_data:
        print(f"{week} holds no decisions for this selection.", file=sys.stderr)
        return EXIT_NO_DATA
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
