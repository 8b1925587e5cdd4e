"""Two people log in through a real OpenID provider and open the same shared link.

The provider is ``oidc-provider-mock`` on a free 127.0.0.1 port, its users and their
``groups`` claim set by this test; the dashboard runs with an ``[auth]`` secrets section in
a temporary ``.streamlit`` folder and a role map giving each person one market. Each must
see only their market's numbers (read from the CSV they download and checked against the
raw rows), be told that the rest of the link was not shown, and return to the login page
on logging out. The audit table must then hold each view and download.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.browser.conftest import ROOT, _free_port, screenshot

pytestmark = pytest.mark.browser

START, END = "2026-10-05", "2026-11-01"
LINK = f"?start={START}&end={END}&grain=week&market=ID&market=US"
ROLE_MAP = """
[groups."qa-apac"]
markets = ["ID"]

[users."bea@example.com"]
markets = ["US"]
"""
PEOPLE = {
    "ann@example.com": {"email": "ann@example.com", "name": "Ann", "groups": ["qa-apac"]},
    "bea@example.com": {"email": "bea@example.com", "name": "Bea", "groups": ["sellers"]},
}
EXPECTED_MARKET = {"ann@example.com": "ID", "bea@example.com": "US"}


def _wait_until(ready, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def provider():
    """Return the address of a real OpenID provider on 127.0.0.1, with this test's users."""
    from oidc_provider_mock import app as provider_app
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", _free_port(), provider_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    _wait_until(lambda: _answers(f"{base}/.well-known/openid-configuration"), "the provider")
    for sub, claims in PEOPLE.items():
        request = urllib.request.Request(
            f"{base}/users/{sub}",
            data=json.dumps(claims).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as reply:
            assert reply.status == 204
    yield base
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def login_app(provider, duckdb_url, tmp_path_factory):
    """Return (address, app database URL) of the dashboard with login through ``provider``."""
    home = tmp_path_factory.mktemp("login-app")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    (home / ".streamlit").mkdir()
    shutil.copy(ROOT / ".streamlit" / "config.toml", home / ".streamlit" / "config.toml")
    (home / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "{base}/oauth2callback"\n'
        'cookie_secret = "browser-test-cookie-secret"\n'
        'client_id = "moderation-dashboard"\n'
        'client_secret = "browser-test-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    (home / "roles.toml").write_text(ROLE_MAP, encoding="utf-8")
    app_db = f"sqlite:///{home / 'app.sqlite'}"
    env = {
        **os.environ,
        "MODQA_WAREHOUSE_URL": duckdb_url,
        "MODQA_APP_DB_URL": app_db,
        "MODQA_ROLE_MAP": str(home / "roles.toml"),
    }
    log = (home / "server.log").open("w")
    # Run from the temporary folder so Streamlit reads its .streamlit/secrets.toml there.
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=home,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until(lambda: _answers(f"{base}/_stcore/health"), "streamlit")
        yield base, app_db
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _expected_counts(raw, market: str, first: str, last: str) -> tuple[int, int]:
    """Return (inspections, correct) of the market's decisions from ``first`` to ``last``
    (inclusive ISO dates), counted in pandas from the raw rows."""
    d = raw["decisions"]
    decided = pd.to_datetime(d["decided_at"])
    cohort = d[
        (decided >= pd.Timestamp(first))
        & (decided < pd.Timestamp(dt.date.fromisoformat(last) + dt.timedelta(days=1)))
        & (d["market_code"] == market)
    ]
    joined = raw["qa_inspections"].merge(cohort, on="decision_id")
    correct = (joined["qa_outcome"] == joined["outcome"]) & (
        (joined["outcome"] == "approve") | (joined["qa_label"] == joined["rejection_label"])
    )
    return len(joined), int(correct.sum())


def _log_in(page, base: str, person: str) -> None:
    page.goto(base + "/" + LINK)
    page.get_by_role("button", name="Log in").click()
    page.locator("input[name=sub]").fill(person)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{base}/**")
    page.get_by_text(f"Signed in as {person}").wait_for(timeout=120_000)


def test_two_users_see_only_their_markets_and_logging_out_returns_to_login(browser, login_app, raw):
    base, app_db = login_app
    for person, market in EXPECTED_MARKET.items():
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        # A busy shared machine can take long to render; these wait for conditions, not time.
        context.set_default_timeout(120_000)
        context.set_default_navigation_timeout(120_000)
        page = context.new_page()
        try:
            _log_in(page, base, person)
            page.goto(base + "/" + LINK)  # the shared link, opened while signed in
            banner = page.get_by_text("This link asks for data outside your access")
            banner.wait_for(timeout=120_000)
            other = "US" if market == "ID" else "ID"
            assert f"market “{other}”" in banner.inner_text()
            page.get_by_text("The grid as a table").click()
            page.get_by_text("Download this table (CSV)").wait_for()
            screenshot(page, f"login-scope-{market}")
            with page.expect_download() as download:
                page.get_by_text("Download this table (CSV)").click()
            table = pd.read_csv(download.value.path())
            assert set(table["market_code"]) == {market}
            # The file is named after the period judged: accuracy_change_START_END.csv.
            first, last = download.value.suggested_filename.removesuffix(".csv").split("_")[-2:]
            assert (
                table["denominator_current"].sum(),
                table["numerator_current"].sum(),
            ) == _expected_counts(raw, market, first, last)
            page.get_by_role("button", name="Log out").click()
            end_session = page.get_by_role("button", name="End session")
            log_in = page.get_by_role("button", name="Log in")
            end_session.or_(log_in).first.wait_for(timeout=120_000)
            if end_session.is_visible():
                end_session.click()
            log_in.wait_for(timeout=120_000)
            assert page.get_by_text("Signed in as").count() == 0
        finally:
            context.close()

    engine = sa.create_engine(app_db)
    with engine.connect() as connection:
        rows = pd.read_sql("SELECT user_id, page, event, filters FROM audit_log", connection)
    engine.dispose()
    for person, market in EXPECTED_MARKET.items():
        own = rows[rows["user_id"] == person]
        assert (own["event"] == "view").sum() >= 1
        assert (own["event"] == "csv").sum() == 1
        for filters in own["filters"]:
            assert json.loads(filters)["scope"] == [{"markets": [market], "vendors": None}]
