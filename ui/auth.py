"""Who is looking, and what they may see: login, trusted proxy header, or open access.

Three modes, chosen by configuration:

- **OpenID Connect** when ``.streamlit/secrets.toml`` has an ``[auth]`` section: Streamlit's
  ``st.login`` / ``st.user`` / ``st.logout``; groups and scope claims come from the ID token.
- **Trusted header** when ``MODQA_TRUSTED_HEADER`` names a header set by an authenticating
  proxy (the Streamlit port must then be reachable only through that proxy).
- **Open** otherwise (the embedded demo): everyone sees everything, and the sidebar says so.

``current_access`` is read by ``ui.warehouse`` on every query, so the scope follows the
identity of the session asking, never a value left over in the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import streamlit as st

from access.entitlements import (
    OPEN_ACCESS,
    Access,
    AccessSettings,
    Identity,
    RoleMap,
    claim_values,
    identity_from_headers,
    load_access_settings,
    load_role_map,
    resolve,
)
from data_access.filters import Scope
from ui.links import _echo as echo

OIDC, HEADER, OPEN = "oidc", "header", "open"
NO_ONE = Access(user="", scope=Scope.nothing())


@st.cache_resource(show_spinner=False)
def access_settings() -> AccessSettings:
    """Return the access settings, read once per server process."""
    return load_access_settings()


@st.cache_resource(show_spinner=False, max_entries=4)
def _role_map(path: Path | None, modified: float) -> RoleMap:
    return load_role_map(path)


def role_map() -> RoleMap:
    """Return the role map, re-read when its file changes (so a grant needs no restart)."""
    path = access_settings().role_map_path
    modified = path.stat().st_mtime if path is not None and path.exists() else 0.0
    return _role_map(path, modified)


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def mode() -> str:
    """Return how identities are found: ``"oidc"``, ``"header"`` or ``"open"``."""
    if _oidc_configured():
        return OIDC
    if access_settings().trusted_header:
        return HEADER
    return OPEN


def _identity() -> Identity | None:
    """Return the identity of the session asking, or None when nobody is signed in."""
    settings = access_settings()
    if mode() == OIDC:
        if not st.user.get("is_logged_in"):
            return None
        email = str(st.user.get("email") or st.user.get("sub") or "")
        return Identity(
            email=email,
            name=str(st.user.get("name") or ""),
            groups=claim_values(st.user.get(settings.groups_claim)) or (),
            claimed_markets=claim_values(st.user.get(settings.markets_claim))
            if settings.markets_claim
            else None,
            claimed_vendors=claim_values(st.user.get(settings.vendors_claim))
            if settings.vendors_claim
            else None,
        )
    return identity_from_headers(st.context.headers, settings)


def current_access() -> Access:
    """Return the access of the session asking; nobody signed in means no rows at all."""
    if mode() == OPEN:
        return OPEN_ACCESS
    identity = _identity()
    if identity is None:
        return NO_ONE
    return resolve(identity, role_map(), access_settings())


def current_scope() -> Scope:
    """Return the scope every query of this session is narrowed to."""
    return current_access().scope


def gate() -> Access:
    """Show the login or no-access page and stop, or say in the sidebar who is signed in.

    Returns the access of a signed-in user with some scope (or open access).
    """
    current = mode()
    if current == OPEN:
        st.sidebar.caption(
            ":material/lock_open: **Open access**: no login is configured, so everyone "
            "who reaches this address sees every market."
        )
        return OPEN_ACCESS
    identity = _identity()
    if identity is None:
        _only_page(lambda: _signed_out_page(current), "Log in")
    access = resolve(identity, role_map(), access_settings())
    if not access.has_access:
        _only_page(lambda: _no_access_page(access), "No access")
    with st.sidebar:
        st.caption(f":material/person: Signed in as **{access.user}**")
        st.caption(
            "Sees every market (admin)."
            if access.is_admin
            else f"Sees only: {access.scope.describe()}."
        )
        if current == OIDC:
            st.button("Log out", on_click=st.logout, icon=":material/logout:", key="auth-logout")
    return access


def _only_page(draw, title: str) -> NoReturn:
    """Show one page as the whole app, then stop: the navigation of the real pages is never
    declared, so Streamlit cannot fall back to listing the ``pages/`` folder."""

    def signed_out() -> None:
        draw()

    st.navigation([st.Page(signed_out, title=title)], position="hidden").run()
    st.stop()


def _signed_out_page(current: str) -> None:
    st.title("Moderation quality")
    if current == OIDC:
        st.info("Please log in to see moderation quality for your markets.", icon=":material/lock:")
        st.button(
            "Log in", on_click=st.login, type="primary", icon=":material/login:", key="auth-login"
        )
    else:
        st.error(
            "This dashboard is reached through a login proxy, and this request carried no "
            "signed-in user. Open it through the proxy's address.",
            icon=":material/lock:",
        )


def _no_access_page(access: Access) -> None:
    st.title("No access")
    st.error(
        f"You are signed in as **{access.user}**, but no market has been granted to you, so "
        "there is nothing to show. Ask the dashboard's administrator to add you (or one of "
        "your groups) to the role map.",
        icon=":material/block:",
    )
    if mode() == OIDC:
        st.button("Log out", on_click=st.logout, icon=":material/logout:", key="auth-logout")


# Link parameters that name scoped dimensions: URL key -> Filters field.
SCOPED_PARAMS = {"market": "markets", "vendor": "vendors"}
STATE_OUTSIDE = "scope_outside"


def strip_outside_scope(
    params: dict[str, list[str]], known: dict[str, tuple[str, ...]]
) -> dict[str, list[str]]:
    """Return the link's parameters without the markets and vendors outside the session's
    scope, remembering them for ``outside_scope_banner``.

    ``known`` holds the scoped option lists, so a code outside them is either unknown or
    forbidden; the banner says the same for both, which tells nobody which markets exist.
    """
    outside: list[tuple[str, str]] = []
    if current_scope().is_everything:
        st.session_state[STATE_OUTSIDE] = outside
        return params
    kept = dict(params)
    for key, field_name in SCOPED_PARAMS.items():
        allowed = set(known.get(field_name, ()))
        values = params.get(key, [])
        outside += [
            (key, value) for value in dict.fromkeys(values) if value and value not in allowed
        ]
        if values:
            kept[key] = [value for value in values if value in allowed]
    st.session_state[STATE_OUTSIDE] = outside
    return kept


def outside_scope_banner() -> None:
    """Say which parts of the link were outside the viewer's access and were not shown."""
    outside = st.session_state.get(STATE_OUTSIDE) or []
    if not outside:
        return
    nouns = {"market": "market", "vendor": "vendor"}
    named = ", ".join(f"{nouns[key]} {echo(value)}" for key, value in outside)
    st.warning(
        f"This link asks for data outside your access ({named}). That part is not shown: "
        f"this view holds only {current_scope().describe()}.",
        icon=":material/visibility_off:",
    )


def all_placeholder(dimension: str) -> str:
    """Return what an empty multiselect means: "All", or all of the viewer's own values."""
    scope = current_scope()
    if dimension == "markets" and scope.markets() is not None:
        return "All your markets"
    if dimension == "vendors" and scope.vendors() is not None:
        return "All your vendors"
    return "All"


def scope_note() -> str:
    """Return whose scope the data on screen is limited to, for reports and captions."""
    access = current_access()
    if mode() == OPEN:
        return "Open access (no login configured): every market."
    return f"Data within the access of {access.user}: {access.scope.describe()}."


def all_markets_words() -> str:
    """Return "all markets", or "all your markets" when the viewer's scope is limited."""
    return "all markets" if current_scope().markets() is None else "all your markets"
