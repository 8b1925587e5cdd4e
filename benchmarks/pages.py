"""Page benchmark: every page's cold and warm time in headless Chromium, its query time and
scans, the raw GROUP BY reference and the server's peak memory, on one warehouse.

    python -m benchmarks.pages --url duckdb:///data/bench-10m.duckdb [--label 10M]
                               [--rollups on off] [--pages overview appeals ...]

Times are wall seconds from navigation until Streamlit reports the script finished
(``stApp``'s ``data-test-script-state`` is ``notRunning``). *Cold* is the first load of the
page on a freshly started server (empty caches), the median over ``--cold-runs`` servers
(default 3); *warm* is the median of five reloads on each of them (15 by default).
A one-line Streamlit page measured the same way is the baseline. Query time is the sum of
the page's statements on a cold run, recorded in this process through AppTest with the
``data_access.statements`` listener. ``--rollups off`` starts the app with
``MODQA_USE_ROLLUPS=0`` on the same warehouse. Results are printed and written to
benchmarks/results/pages-<label>-<timestamp>.json with the machine's load average.

A ClickHouse warehouse is benchmarked the same way: pass its URL (issue #12b).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from data_access.statements import recorded

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
CHROMIUM = "/usr/bin/chromium"
PAGES = {
    "overview": "",
    "labels": "labels",
    "appeals": "appeals",
    "penalties": "penalties",
    "vendors": "vendors",
    "weekly_review": "weekly_review",
}
# Finished: the script is not running and the page has drawn its title. A deep link on a
# fresh server first runs, and stops, without a title (``ui.shell.require_app_navigation``
# reruns it through app.py); that stop is not the end of the page. The one-line page is a
# title, so it is judged the same way.
FINISHED = (
    "() => { const app = document.querySelector('[data-testid=stApp]');"
    " return app !== null && app.getAttribute('data-test-script-state') === 'notRunning'"
    " && document.querySelector('[data-testid=stMain] h1') !== null"
    " && document.querySelectorAll('[data-testid=stMain] [data-stale=true]').length === 0; }"
)
ONE_LINE_PAGE = 'import streamlit as st\n\nst.title("Hello")\n'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``streamlit run`` of a script on a free local port, with the given environment."""

    def __init__(self, script: str, env: dict[str, str], log: Path, cwd: Path = ROOT):
        self.port = _free_port()
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
            ],
            cwd=cwd,
            env={**os.environ, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit did not start; see {log}")

    def peak_rss_mb(self) -> float:
        """Return the server process's peak resident memory (VmHWM) in MiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        """Stop the server and close its log."""
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


# Reloads per fresh server; warm is the median of all of them. One reload on a small shared
# machine varied by a factor of two, and a median of five from one server by 0.15 s between
# runs minutes apart (the browser draws every chart on its main thread).
WARM_RELOADS = 5


def _timed_load(browser, url: str) -> tuple[float, list[float]]:
    """Return seconds until the script finished on first load, and on each of
    ``WARM_RELOADS`` reloads after it."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    # A busy shared machine can take minutes; the wait is for the script, not a fixed time.
    context.set_default_timeout(900_000)
    context.set_default_navigation_timeout(900_000)
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_function(FINISHED, timeout=600_000, polling=50)
        cold = time.perf_counter() - started
        reloads = []
        for _ in range(WARM_RELOADS):
            started = time.perf_counter()
            page.reload()
            page.wait_for_function(FINISHED, timeout=600_000, polling=50)
            reloads.append(time.perf_counter() - started)
        return cold, reloads
    finally:
        context.close()


def _baseline(browser, workdir: Path, cold_runs: int = 1) -> dict[str, float]:
    """Return a one-line Streamlit page's cold and warm time, measured as the pages are: the
    floor of any page."""
    script = workdir / "one_line.py"
    script.write_text(ONE_LINE_PAGE)
    colds, reloads = [], []
    for attempt in range(cold_runs):
        server = Server(str(script), {}, workdir / f"baseline-{attempt}.log")
        try:
            cold, reloaded = _timed_load(browser, server.base)
        finally:
            server.stop()
        colds.append(cold)
        reloads += reloaded
    return {
        "cold_s": round(statistics.median(colds), 2),
        "warm_s": round(statistics.median(reloads), 2),
    }


def _page_times(
    browser,
    url: str,
    env: dict[str, str],
    pages,
    workdir: Path,
    app_dir: Path = ROOT,
    cold_runs: int = 1,
) -> dict:
    """Return per page: cold on a fresh server (the median of ``cold_runs`` servers), warm
    on reload (the median over every server's reloads), and the servers' highest peak RSS."""
    results = {}
    for name in pages:
        colds, reloads, peak = [], [], 0.0
        for attempt in range(cold_runs):
            log = workdir / f"{name}-{attempt}.log"
            server = Server("app.py", {"MODQA_WAREHOUSE_URL": url, **env}, log, cwd=app_dir)
            try:
                cold, reloaded = _timed_load(browser, f"{server.base}/{PAGES[name]}")
                colds.append(cold)
                reloads += reloaded
                peak = max(peak, server.peak_rss_mb())
            finally:
                server.stop()
        cold, warm = statistics.median(colds), statistics.median(reloads)
        results[name] = {
            "cold_s": round(cold, 2),
            "cold_runs_s": [round(value, 2) for value in colds],
            "warm_s": round(warm, 2),
            "warm_runs_s": [round(value, 2) for value in reloads],
            "server_peak_mb": round(peak),
        }
        print(f"  {name:<14} cold {cold:6.2f} s  warm {warm:6.2f} s", flush=True)
    return results


def _query_times(url: str, env: dict[str, str], pages) -> dict:
    """Return per page the summed statement time, statement count and repeated scans, cold."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ.update({"MODQA_WAREHOUSE_URL": url, **env})
    results = {}
    for name in pages:
        st.cache_data.clear()
        st.cache_resource.clear()
        app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=900)
        if name != "overview":
            app.switch_page(f"pages/{name}.py")
        with recorded() as log:
            app.run()
        scans = log.scans()
        results[name] = {
            "query_s": round(log.seconds, 3),
            "statements": len(log.statements),
            "scans": sum(scans.values()),
            "repeated_scans": sum(count - 1 for count in scans.values() if count > 1),
            "exception": bool(app.exception),
        }
    for key in ("MODQA_WAREHOUSE_URL", *env):
        os.environ.pop(key, None)
    return results


def _raw_group_by(url: str) -> float:
    """Return the seconds of one raw GROUP BY over every decision: the warehouse's floor."""
    connect_args = {"read_only": True} if url.startswith("duckdb") else {}
    engine = sa.create_engine(url, connect_args=connect_args)
    try:
        with engine.connect() as connection:
            started = time.perf_counter()
            connection.exec_driver_sql(
                "SELECT market_code, policy_area, count(*), "
                "sum(CASE WHEN outcome = 'reject' THEN 1 ELSE 0 END) "
                "FROM decisions GROUP BY market_code, policy_area"
            ).fetchall()
            return round(time.perf_counter() - started, 3)
    finally:
        engine.dispose()


def _decisions(url: str) -> int:
    connect_args = {"read_only": True} if url.startswith("duckdb") else {}
    engine = sa.create_engine(url, connect_args=connect_args)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT count(*) FROM decisions").scalar())
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Run the page benchmark on one warehouse and print its table; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pages", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--url", required=True)
    parser.add_argument("--label", default="")
    parser.add_argument("--rollups", nargs="+", choices=("on", "off"), default=["on", "off"])
    parser.add_argument("--pages", nargs="+", choices=tuple(PAGES), default=list(PAGES))
    parser.add_argument("--no-query-times", action="store_true")
    parser.add_argument(
        "--cold-runs",
        type=int,
        default=3,
        help="fresh servers per page; cold is their median (one cold load varied by half)",
    )
    parser.add_argument(
        "--app-dir",
        type=Path,
        default=ROOT,
        help="serve the app of another checkout (the code before a change); page times only",
    )
    arguments = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    result = {
        "label": arguments.label,
        "warehouse": sa.make_url(arguments.url).get_backend_name(),
        "decisions": _decisions(arguments.url),
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "app_dir": str(arguments.app_dir),
        "load_before": os.getloadavg(),
        "raw_group_by_s": _raw_group_by(arguments.url),
        "runs": {},
    }
    print(
        f"{result['warehouse']} {result['decisions']:,} decisions, raw GROUP BY "
        f"{result['raw_group_by_s']} s, load {result['load_before'][0]:.1f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="modqa-pages-") as workdir, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        result["baseline"] = _baseline(browser, Path(workdir), arguments.cold_runs)
        print(
            f"  one-line page  cold {result['baseline']['cold_s']:6.2f} s  warm "
            f"{result['baseline']['warm_s']:6.2f} s",
            flush=True,
        )
        for setting in arguments.rollups:
            env = {"MODQA_USE_ROLLUPS": "1" if setting == "on" else "0"}
            print(f" rollups {setting}", flush=True)
            run = {
                "pages": _page_times(
                    browser,
                    arguments.url,
                    env,
                    arguments.pages,
                    Path(workdir),
                    arguments.app_dir,
                    arguments.cold_runs,
                )
            }
            if not arguments.no_query_times:
                run["queries"] = _query_times(arguments.url, env, arguments.pages)
                for name, timing in run["queries"].items():
                    print(
                        f"  {name:<14} queries {timing['query_s']:6.2f} s in "
                        f"{timing['statements']} statements, {timing['scans']} scans "
                        f"({timing['repeated_scans']} repeated)",
                        flush=True,
                    )
            result["runs"][setting] = run
        browser.close()
    result["load_after"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"pages-{arguments.label or result['decisions']}-{stamp}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2, default=str))
    print(f"wrote {RESULTS / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
