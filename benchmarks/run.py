"""Benchmark: demo generation speed and memory, and page-query latency at scale.

    python -m benchmarks.run [--decisions 1000000 10000000] [--url URL ...] [--repeat 3]

For each size it builds a demo warehouse (DuckDB in a temp dir unless URLs are given),
records generation time and the peak memory of the process, then times the queries a page
issues (the Overview's default view: tiles, trend by market, market x policy grid, plus a
drill-through page) cold and warm. Results are printed as a table and written to
benchmarks/results/<timestamp>.json. Targets (DESIGN.md, issue #2): 1M decisions generated
in under 30 s and 10M in under 5 minutes on the 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from data_access import demo, queries
from data_access.filters import Filters

RESULTS = Path(__file__).resolve().parent / "results"
END = dt.date(2026, 11, 22)
TARGET_SECONDS = {1_000_000: 30, 10_000_000: 300}


def _peak_rss_mb() -> float:
    """Return this process's peak resident memory in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _page_queries(engine: sa.Engine, filters: Filters) -> dict[str, object]:
    """Return the queries one Overview view and one drill-through page issue, by name."""
    previous = filters.previous_period()
    return {
        "tiles: inspections (period)": lambda: queries.inspection_counts(engine, filters, ()),
        "tiles: inspections (previous)": lambda: queries.inspection_counts(engine, previous, ()),
        "tiles: appeals": lambda: queries.appeal_counts(engine, filters, ()),
        "tiles: penalties": lambda: queries.penalty_counts(engine, filters, ()),
        "trend by week x market": lambda: queries.inspection_counts(
            engine, filters, ("period", "market_code")
        ),
        "grid market x policy": lambda: queries.inspection_counts(
            engine, filters, ("market_code", "policy_area")
        ),
        "label counts": lambda: queries.label_counts(engine, filters),
        "resolution times by market": lambda: queries.appeal_resolution_times(
            engine, filters, ("market_code",)
        ),
        "drill-through page 3": lambda: queries.drill_through(
            engine, filters, label_code="listing_duplicate", page=3
        ),
    }


def _time_queries(url: str, repeat: int) -> dict[str, dict[str, float]]:
    """Return cold and median warm seconds per page query against a warehouse."""
    connect_args = {"read_only": True} if url.startswith("duckdb") else {}
    engine = sa.create_engine(url, connect_args=connect_args)
    filters = Filters(start=END - dt.timedelta(days=83), end=END)
    timings = {}
    for name, run in _page_queries(engine, filters).items():
        started = time.perf_counter()
        run()
        cold = time.perf_counter() - started
        warm = []
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            warm.append(time.perf_counter() - started)
        timings[name] = {
            "cold_s": round(cold, 3),
            "warm_median_s": round(statistics.median(warm), 3),
        }
    engine.dispose()
    return timings


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--decisions", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--url", nargs="*", default=[], help="warehouses to load (default: DuckDB)")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="modqa-bench-") as workdir:
        for size in arguments.decisions:
            urls = arguments.url or [f"duckdb:///{workdir}/bench-{size}.duckdb"]
            for url in urls:
                spec = demo.DemoSpec(decisions=size, weeks=arguments.weeks, end=END)
                started = time.perf_counter()
                counts = demo.build(url, spec)
                seconds = time.perf_counter() - started
                target = TARGET_SECONDS.get(size)
                row = {
                    "warehouse": sa.make_url(url).get_backend_name(),
                    "decisions": size,
                    "weeks": arguments.weeks,
                    "generate_s": round(seconds, 1),
                    "target_s": target,
                    "within_target": None if target is None else seconds <= target,
                    "peak_rss_mb": round(_peak_rss_mb()),
                    "rows": counts,
                    "queries": _time_queries(url, arguments.repeat),
                }
                results.append(row)
                print(
                    f"{row['warehouse']:>10} {size:>11,} decisions: generated in {seconds:6.1f} s"
                    f" (target {target or '-'} s), peak RSS {row['peak_rss_mb']:,} MiB"
                )
                for name, timing in row["queries"].items():
                    print(
                        f"{'':>12}{name:<32} cold {timing['cold_s']:7.3f} s"
                        f"   warm {timing['warm_median_s']:7.3f} s"
                    )
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(results, indent=2))
    return 0 if all(r["within_target"] in (True, None) for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
