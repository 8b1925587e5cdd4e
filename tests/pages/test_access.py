"""Login and per-market access as users meet them: signed out, no access, one market, admin.

The app runs with an OpenID ``[auth]`` section in its secrets and a role map file; each
test sets ``AppTest.user`` to the identity the ID token would carry.
"""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

ROLE_MAP = """
admins = ["root@example.com"]

[groups."qa-apac"]
markets = ["ID"]

[users."bea@example.com"]
markets = ["US"]
"""
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "dashboard",
    "client_secret": "not-used-by-apptest",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
# The key of the Overview's "The grid as a table" expander, built only when opened.
GRID_TABLE_KEY = "overview-grid-table"
LINK = {"start": "2026-10-05", "end": "2026-11-01", "market": ["ID", "US"]}
ID_USER = {"is_logged_in": True, "email": "ann@example.com", "groups": ["qa-apac"]}
US_USER = {"is_logged_in": True, "email": "bea@example.com", "groups": []}
ADMIN = {"is_logged_in": True, "email": "root@example.com"}


@pytest.fixture
def signed_in(duckdb_url, monkeypatch, tmp_path):
    """Return ``open_as(user, **link)``: the app with login configured, run as that user."""
    role_map = tmp_path / "roles.toml"
    role_map.write_text(ROLE_MAP, encoding="utf-8")
    monkeypatch.setenv("MODQA_WAREHOUSE_URL", duckdb_url)
    monkeypatch.setenv("MODQA_ROLE_MAP", str(role_map))
    st.cache_data.clear()
    st.cache_resource.clear()

    def open_as(user: dict, page: str | None = None, **params) -> AppTest:
        app = AppTest.from_file(APP, default_timeout=120)
        app.secrets["auth"] = AUTH
        app.user = user
        if page:
            app.switch_page(page)
        for key, value in params.items():
            app.query_params[key] = value
        # The Overview's "The grid as a table" open: the tests read the grid's rows.
        app.session_state[GRID_TABLE_KEY] = True
        return app.run()

    yield open_as
    st.cache_data.clear()
    st.cache_resource.clear()


def _table(app) -> pd.DataFrame:
    return app.dataframe[0].value


def _markets_widget(app):
    return next(widget for widget in app.sidebar.multiselect if widget.label == "Markets")


def test_a_signed_out_visitor_sees_only_the_login_button(signed_in):
    app = signed_in({"is_logged_in": False}, **LINK)
    assert not app.exception
    assert [button.label for button in app.button] == ["Log in"]
    assert not app.metric and not app.dataframe


def test_a_user_with_no_entitlement_sees_the_no_access_page(signed_in):
    app = signed_in({"is_logged_in": True, "email": "eve@example.com", "groups": ["x"]}, **LINK)
    assert not app.exception
    assert [title.value for title in app.title] == ["No access"]
    assert "eve@example.com" in app.error[0].value
    assert not app.metric and not app.dataframe and not app.sidebar.multiselect


def test_a_one_market_user_sees_only_that_market_and_is_told_what_was_left_out(signed_in):
    app = signed_in(ID_USER, **LINK)
    assert not app.exception
    markets = _markets_widget(app)
    assert markets.options == ["Indonesia"] and markets.value == ["ID"]
    assert any(
        "outside your access" in warning.value and "US" in warning.value for warning in app.warning
    )
    table = _table(app)
    assert set(table["Market"]) == {"Indonesia"}
    # Scope removes rows and never changes a number: Indonesia's rows equal the admin's.
    admin = _table(signed_in(ADMIN, **LINK))
    assert table.equals(admin[admin["Market"] == "Indonesia"].reset_index(drop=True))
    assert any(
        "Signed in as **ann@example.com**" in caption.value for caption in app.sidebar.caption
    )


def test_an_admin_sees_every_market_and_the_audit_trail(signed_in):
    app = signed_in(ADMIN, **LINK)
    assert not app.exception and not any("outside your access" in w.value for w in app.warning)
    assert set(_table(app)["Market"]) == {"Indonesia", "United States"}
    audit = signed_in(ADMIN, page="pages/audit.py")
    assert not audit.exception
    trail = audit.dataframe[0].value
    assert list(trail["User"].unique()) == ["root@example.com"]
    assert "view" in set(trail["Event"])


def test_the_audit_page_refuses_a_scoped_user_even_by_its_address(signed_in):
    app = signed_in(ID_USER, page="pages/audit.py")
    assert not app.exception
    assert "Audit trail" not in [title.value for title in app.title]
    assert all("User" not in frame.value.columns for frame in app.dataframe)


def test_two_users_with_one_link_in_one_process_get_their_own_results(signed_in):
    # No cache is cleared between the two: the second run must not reuse the first's rows.
    first = signed_in(ID_USER, start="2026-10-05", end="2026-11-01")
    second = signed_in(US_USER, start="2026-10-05", end="2026-11-01")
    assert set(_table(first)["Market"]) == {"Indonesia"}
    # "All" is labelled as the user's own markets, not every market.
    assert _markets_widget(first).proto.placeholder == "All your markets"
    assert _markets_widget(first).options == ["Indonesia"]
    assert set(_table(second)["Market"]) == {"United States"}
    third = signed_in(ID_USER, start="2026-10-05", end="2026-11-01")
    assert set(_table(third)["Market"]) == {"Indonesia"}
