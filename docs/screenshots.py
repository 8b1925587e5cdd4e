"""Screenshots of every page on the default demo, and the first-start time, for the README.

    python docs/screenshots.py [--out docs/screenshots] [--width 1280] [--first-start]

Builds the default demo (``python -m data_access.demo`` with default arguments) in a temporary
directory, starts ``streamlit run app.py`` on a free local port, opens each page in Debian's
Chromium (``/usr/bin/chromium``, driven by Playwright) and saves ``<page>.png``. With
``--first-start`` it instead copies the repository to a temporary directory with no demo
warehouse and prints the seconds from ``streamlit run`` to the Overview's tiles, as a new user
waits for them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
PAGES = {
    "overview": "/",
    "labels": "/labels",
    "appeals": "/appeals",
    "penalties": "/penalties",
    "vendors": "/vendors",
    "weekly_review": "/weekly_review",
    "actions": "/actions?action=1",
    "coverage": "/coverage",
    "glossary": "/glossary",
}
# The app has finished its run and mounted what it drew: no spinner or skeleton is left.
DRAWN = (
    "document.querySelector('[data-testid=stApp]')"
    "?.getAttribute('data-test-script-state') === 'notRunning'"
    " && !document.querySelector('[data-testid=stSpinner]')"
    " && document.querySelector('[data-testid=stMain] h1') !== null"
    " && !document.querySelector('[data-testid=stMain] [data-testid=stSkeleton]')"
    " && !document.body.innerText.includes('Asking the warehouse')"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(cwd: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
        + ["--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                return server, base
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("streamlit did not start")


def _wait_drawn(page) -> None:
    page.wait_for_selector("[data-testid=stMain] h1", timeout=300_000)
    # Between two queries a page briefly shows no spinner: the run is over only when the
    # page has shown none, and kept its height, for eight checks a second apart.
    steady, last_height = 0, -1
    while steady < 8:
        page.wait_for_function(DRAWN, timeout=300_000)
        height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
        steady = steady + 1 if height == last_height else 0
        last_height = height
        page.wait_for_timeout(1000)
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=stMain] [data-stale=true]').length === 0",
        timeout=300_000,
    )


def _launch(playwright):
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
    )


def screenshots(out: Path, width: int) -> None:
    """Save one full-height PNG per page of the app on a fresh default demo."""
    from playwright.sync_api import sync_playwright

    from data_access import demo

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        url = f"duckdb:///{Path(scratch) / 'demo.duckdb'}"
        demo.build(url, demo.DemoSpec())
        server, base = _serve(ROOT, {**os.environ, "MODQA_WAREHOUSE_URL": url})
        try:
            with sync_playwright() as playwright:
                browser = _launch(playwright)
                page = browser.new_page(viewport={"width": width, "height": 800})
                for name, path in PAGES.items():
                    page.set_viewport_size({"width": width, "height": 800})
                    page.goto(base + path)
                    _wait_drawn(page)
                    height = page.evaluate(
                        "Math.max(...[...document.querySelectorAll('[data-testid=stMain] *')]"
                        ".map(e => e.getBoundingClientRect().bottom))"
                    )
                    page.set_viewport_size({"width": width, "height": int(min(height + 40, 6000))})
                    _wait_drawn(page)
                    page.screenshot(path=str(out / f"{name}.png"))
                    print(f"wrote {out / f'{name}.png'}")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=60)


def first_start() -> float:
    """Return seconds from `streamlit run` in a fresh copy to the Overview's tiles shown."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "repo"
        shutil.copytree(
            ROOT, copy, ignore=shutil.ignore_patterns(".git", "data", "test-artifacts", "*.png")
        )
        (copy / "data").mkdir()
        env = {key: value for key, value in os.environ.items() if not key.startswith("MODQA_")}
        started = time.monotonic()
        server, base = _serve(copy, env)
        try:
            with sync_playwright() as playwright:
                browser = _launch(playwright)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(base + "/")
                page.wait_for_selector("[data-testid=stMetric]", timeout=600_000)
                _wait_drawn(page)
                elapsed = time.monotonic() - started
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=60)
    return elapsed


def main() -> None:
    """Parse the arguments and take the screenshots or measure the first start."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--first-start", action="store_true")
    arguments = parser.parse_args()
    if arguments.first_start:
        print(f"first start: {first_start():.1f} s to the Overview's tiles")
    else:
        screenshots(arguments.out, arguments.width)


if __name__ == "__main__":
    main()
