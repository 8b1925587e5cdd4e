"""An identity's entitlement: from ID-token claims, a role map file, or the admin role.

The role map is a TOML file (path in ``MODQA_ROLE_MAP``)::

    admins = ["alice@example.com", "dashboard-admins"]   # emails or groups: see everything

    [groups."qa-emea"]
    markets = ["DE", "FR"]               # "*" for every market

    [groups."acme-bpo"]
    markets = ["US", "ID"]
    vendors = ["acme"]                   # optional: only these vendors' decisions

    [users."bob@example.com"]
    markets = ["SG"]

A user's scope is the union of every entry that names them or one of their groups, and of
the markets and vendors claims of their ID token. No entry and no claim means no access.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from data_access.config import ConfigurationError
from data_access.filters import EVERYTHING, Grant, Scope

ALL_VALUES = "*"


@dataclass(frozen=True)
class AccessSettings:
    """How identities are found and entitled; every field from an environment variable."""

    role_map_path: Path | None = None
    trusted_header: str | None = None
    trusted_groups_header: str | None = None
    groups_claim: str = "groups"
    markets_claim: str | None = None
    vendors_claim: str | None = None
    admin_role: str = "modqa-admin"


def load_access_settings(environ: Mapping[str, str] | None = None) -> AccessSettings:
    """Return the access settings from ``MODQA_ROLE_MAP``, ``MODQA_TRUSTED_HEADER`` and kin."""
    environ = os.environ if environ is None else environ

    def text(name: str) -> str | None:
        value = environ.get(name, "").strip()
        return value or None

    role_map = text("MODQA_ROLE_MAP")
    return AccessSettings(
        role_map_path=Path(role_map) if role_map else None,
        trusted_header=text("MODQA_TRUSTED_HEADER"),
        trusted_groups_header=text("MODQA_TRUSTED_GROUPS_HEADER"),
        groups_claim=text("MODQA_GROUPS_CLAIM") or "groups",
        markets_claim=text("MODQA_MARKETS_CLAIM"),
        vendors_claim=text("MODQA_VENDORS_CLAIM"),
        admin_role=text("MODQA_ADMIN_ROLE") or "modqa-admin",
    )


@dataclass(frozen=True)
class RoleMap:
    """The parsed role map: admin emails/groups and the grants per group and per email."""

    admins: frozenset[str] = frozenset()
    groups: Mapping[str, Grant] = field(default_factory=dict)
    users: Mapping[str, Grant] = field(default_factory=dict)


def _values(entry: Mapping, key: str, where: str) -> tuple[str, ...] | None:
    raw = entry.get(key)
    if raw is None:
        if key == "markets":
            raise ConfigurationError(f'{where} needs markets = [...] (or "*" for every market)')
        return None
    if raw == ALL_VALUES or raw == [ALL_VALUES]:
        return None
    if not isinstance(raw, list) or not all(isinstance(value, str) for value in raw):
        raise ConfigurationError(f'{where}: {key} must be a list of codes or "*"')
    return tuple(dict.fromkeys(value.strip() for value in raw if value.strip()))


def parse_role_map(text: str, source: str = "the role map") -> RoleMap:
    """Return the role map in ``text`` (TOML), or raise ConfigurationError saying what is wrong."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{source} is not valid TOML: {error}") from None
    admins = document.get("admins", [])
    if not isinstance(admins, list) or not all(isinstance(value, str) for value in admins):
        raise ConfigurationError(f"{source}: admins must be a list of emails or groups")
    tables = {}
    for section in ("groups", "users"):
        entries = document.get(section, {})
        if not isinstance(entries, dict):
            raise ConfigurationError(f"{source}: [{section}] must be a table of entries")
        tables[section] = {
            name.lower(): Grant(
                markets=_values(entry, "markets", f'{source} [{section}."{name}"]'),
                vendors=_values(entry, "vendors", f'{source} [{section}."{name}"]'),
            )
            for name, entry in entries.items()
        }
    return RoleMap(
        admins=frozenset(value.lower() for value in admins),
        groups=tables["groups"],
        users=tables["users"],
    )


def load_role_map(path: Path | None) -> RoleMap:
    """Return the role map at ``path`` (an empty one when no path is configured)."""
    if path is None:
        return RoleMap()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"the role map {path} cannot be read: {error.strerror}") from None
    return parse_role_map(text, str(path))


@dataclass(frozen=True)
class Identity:
    """Who is asking: an email (or other user id), their groups, and scope-bearing claims."""

    email: str
    name: str = ""
    groups: tuple[str, ...] = ()
    claimed_markets: tuple[str, ...] | None = None
    claimed_vendors: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Access:
    """What an identity may see: its scope, whether it is an admin, and who it is."""

    user: str
    scope: Scope
    is_admin: bool = False

    @property
    def has_access(self) -> bool:
        """Return True when the scope allows at least some rows."""
        return not self.scope.is_nothing


OPEN_ACCESS = Access(user="anonymous (no login configured)", scope=EVERYTHING)


def claim_values(value: object) -> tuple[str, ...] | None:
    """Return a claim as a tuple of codes: a list, or a comma- or space-separated string.

    A missing claim is None; "*" alone means every value (also None, but see ``resolve``).
    """
    if value is None:
        return None
    if isinstance(value, str):
        items: Sequence[object] = value.replace(",", " ").split()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return ()
    return tuple(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))


def identity_from_headers(headers: Mapping[str, str], settings: AccessSettings) -> Identity | None:
    """Return the identity a trusted proxy put in the request headers, or None when absent.

    ``headers`` must match names without regard to case, as HTTP does (Streamlit's
    ``st.context.headers`` does).
    """
    if not settings.trusted_header:
        return None
    email = (headers.get(settings.trusted_header) or "").strip()
    if not email:
        return None
    groups_header = settings.trusted_groups_header
    groups = claim_values(headers.get(groups_header)) if groups_header else None
    return Identity(email=email, groups=groups or ())


def resolve(identity: Identity, role_map: RoleMap, settings: AccessSettings) -> Access:
    """Return the identity's access: admin sees everything; otherwise the union of grants."""
    email = identity.email.strip().lower()
    groups = {group.lower() for group in identity.groups}
    is_admin = (
        email in role_map.admins
        or bool(groups & role_map.admins)
        or settings.admin_role.lower() in groups
    )
    if is_admin:
        return Access(user=identity.email, scope=EVERYTHING, is_admin=True)
    grants = []
    if identity.claimed_markets is not None:
        claimed = None if identity.claimed_markets == (ALL_VALUES,) else identity.claimed_markets
        vendors = identity.claimed_vendors
        grants.append(Grant(claimed, None if vendors == (ALL_VALUES,) else vendors))
    grants.extend(grant for group, grant in role_map.groups.items() if group in groups)
    if email and email in role_map.users:
        grants.append(role_map.users[email])
    return Access(user=identity.email, scope=Scope.of(grants))


def resolve_email(email: str, settings: AccessSettings) -> Access:
    """Return the access the role map gives an email (the command line's ``--as-user``)."""
    if settings.role_map_path is None:
        raise ConfigurationError("--as-user needs a role map: set MODQA_ROLE_MAP to its path")
    return resolve(Identity(email=email), load_role_map(settings.role_map_path), settings)
