"""A real Streamlit server on a local port and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(warehouse_url: str, log_dir: Path):
    """Start `streamlit run app.py` on a free local port; yield its address; stop it."""
    port = _free_port()
    log = (log_dir / "server.log").open("w")
    env = {
        **os.environ,
        "MODQA_WAREHOUSE_URL": warehouse_url,
        # Recorded actions go to this server's own app database, never data/app.sqlite.
        "MODQA_APP_DB_URL": f"sqlite:///{log_dir / 'app.sqlite'}",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        server.terminate()
        pytest.fail(f"streamlit did not start; see {log.name}")
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def app_url(duckdb_url, tmp_path_factory) -> str:
    """Return the address of `streamlit run app.py` serving the small test warehouse."""
    yield from _serve(duckdb_url, tmp_path_factory.mktemp("streamlit"))


@pytest.fixture(scope="session")
def planted_app_url(planted_url, tmp_path_factory) -> str:
    """Return the address of the app serving the default-size demo with planted signals."""
    yield from _serve(planted_url, tmp_path_factory.mktemp("streamlit-planted"))


@pytest.fixture(scope="session")
def browser():
    """Return a headless Debian Chromium, or skip (fail under CI) when it is not installed."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is not installed (apt-get install -y chromium)"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """Return a fresh browser page at laptop size, allowed to use the clipboard."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-height screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    # Elements whose code loads lazily stand as skeletons for a moment after the run ends;
    # the artifact shows the page as a reader sees it, once they are drawn.
    page.wait_for_function(
        "!document.querySelector('[data-testid=stMain] [data-testid=stSkeleton]')",
        timeout=60_000,
    )
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll('[data-testid=stMain] *')]"
        ".map(e => e.getBoundingClientRect().bottom))"
    )
    page.set_viewport_size({"width": 1440, "height": int(min(max(height + 40, 1000), 4000))})
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
