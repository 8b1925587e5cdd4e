"""Benchmark: the page queries on a two-shard ClickHouse cluster, against its raw GROUP BY.

    python -m benchmarks.clickhouse [--decisions 10000000] [--weeks 52] [--repeat 3]
                                    [--url URL]

Without ``--url`` it starts a throwaway two-server cluster on loopback
(``tests/clickhouse_cluster.py``, Debian's clickhouse-server 18.16) and loads the demo
generator's data into it; with ``--url`` it uses an existing cluster that the demo generator
has filled. It then times, through the app's own read-only engine, the queries one Overview
view and one drill-through page issue, cold and warm, and the raw ``GROUP BY`` of the same
period as the reference limit. Results are printed and written to
``benchmarks/results/clickhouse-<timestamp>.json``.

Separate from ``benchmarks/run.py`` (which measures DuckDB and the pages) so the two can
change independently; both time the same list of queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
from contextlib import nullcontext

import sqlalchemy as sa

from benchmarks.run import END, RESULTS, _page_queries
from data_access import demo
from data_access.config import Settings
from data_access.engine import read_only_engine
from data_access.filters import Filters


def _timed(run) -> float:  # noqa: ANN001 - any zero-argument callable
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def time_queries(url: str, repeat: int) -> dict[str, dict[str, float]]:
    """Return cold and median warm seconds per page query, plus the raw GROUP BY."""
    engine = read_only_engine(Settings(warehouse_url=url, is_embedded_demo=False))
    filters = Filters(start=END - dt.timedelta(days=83), end=END)
    raw_group_by = sa.text(
        "SELECT toMonday(decided_at) AS week, market_code, count() AS decisions,"
        " sum(outcome = 'reject') AS rejections FROM decisions"
        " WHERE decided_at >= :start AND decided_at < :end GROUP BY week, market_code"
    )
    bounds = {
        "start": dt.datetime.combine(filters.start, dt.time()),
        "end": dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time()),
    }

    def raw() -> None:
        with engine.connect() as connection:
            connection.execute(raw_group_by, bounds).all()

    runs = {"raw GROUP BY week x market (reference)": raw, **_page_queries(engine, filters)}
    timings = {}
    for name, run in runs.items():
        cold = _timed(run)
        warm = [_timed(run) for _ in range(repeat)]
        timings[name] = {
            "cold_s": round(cold, 3),
            "warm_median_s": round(statistics.median(warm), 3),
        }
        print(f"  {name:<42} cold {cold:7.3f} s   warm {statistics.median(warm):7.3f} s")
    engine.dispose()
    return timings


def main(argv: list[str] | None = None) -> int:
    """Run the ClickHouse benchmark and print its table; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.clickhouse", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--decisions", type=int, default=10_000_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--url", help="an existing cluster the demo generator has filled")
    arguments = parser.parse_args(argv)
    from tests.clickhouse_cluster import ClickHouseCluster

    with nullcontext() if arguments.url else ClickHouseCluster() as cluster:
        url = arguments.url or cluster.url
        row: dict = {"warehouse": "clickhouse (2 shards)", "decisions": arguments.decisions}
        if not arguments.url:
            spec = demo.DemoSpec(decisions=arguments.decisions, weeks=arguments.weeks, end=END)
            started = time.perf_counter()
            row["rows"] = demo.build(url, spec)
            row["generate_s"] = round(time.perf_counter() - started, 1)
            print(f"loaded {arguments.decisions:,} decisions in {row['generate_s']} s")
        row["load_average"] = os.getloadavg()
        row["queries"] = time_queries(url, arguments.repeat)
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"clickhouse-{stamp}.json"
    path.write_text(json.dumps(row, indent=2))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
