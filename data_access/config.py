"""Settings read once: warehouse URL, schema prefix, statistical and caching defaults.

Order of precedence for the warehouse URL: the ``MODQA_WAREHOUSE_URL`` environment
variable, then ``[connections.warehouse]`` in ``.streamlit/secrets.toml`` (Streamlit's own
connection convention), then the embedded demo warehouse under ``data/``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_WAREHOUSE_PATH = PROJECT_ROOT / "data" / "demo.duckdb"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"


class ConfigurationError(ValueError):
    """A setting is present but unusable; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    """Everything configurable about the dashboard, with the DESIGN.md defaults."""

    warehouse_url: str
    is_embedded_demo: bool
    schema: str | None = None
    min_sample: int = 30
    appeal_window_days: int = 30
    cache_ttl_seconds: int = 600
    query_timeout_seconds: int = 30
    drill_through_cap: int = 5000
    # The read-only DuckDB engine's memory limit and threads (DuckDB defaults to 80% of RAM
    # and every core, too much for a dashboard sharing its machine).
    duckdb_memory_limit: str = "512MB"
    duckdb_threads: int = 2
    # Off only to measure or to rule the rollups out: the numbers are the same either way.
    use_rollups: bool = True


def _secrets_url(secrets_path: Path) -> str | None:
    """Return the URL from ``[connections.warehouse]`` in a secrets file, or None."""
    if not secrets_path.is_file():
        return None
    try:
        secrets = tomllib.loads(secrets_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{secrets_path} is not valid TOML: {error}") from None
    section = secrets.get("connections", {}).get("warehouse")
    if not section:
        return None
    if "url" in section:
        return str(section["url"])
    # Streamlit's SQLConnection also accepts the URL in parts.
    if "dialect" not in section:
        raise ConfigurationError(
            f"[connections.warehouse] in {secrets_path} needs either url or dialect"
        )
    drivername = section["dialect"] + (f"+{section['driver']}" if section.get("driver") else "")
    url = sa.URL.create(
        drivername,
        username=section.get("username"),
        password=section.get("password"),
        host=section.get("host"),
        port=section.get("port"),
        database=section.get("database"),
        query=section.get("query", {}),
    )
    return url.render_as_string(hide_password=False)


def _int_setting(environ: Mapping[str, str], name: str, default: int) -> int:
    """Return a positive integer environment setting, or the default when unset."""
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise ConfigurationError(f"{name} must be positive, not {value}")
    return value


MEMORY_LIMIT = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


def _memory_setting(environ: Mapping[str, str], name: str, default: str) -> str:
    """Return a memory size setting such as ``512MB`` or ``2GiB``, or the default when unset."""
    raw = (environ.get(name) or "").strip()
    if not raw:
        return default
    if not MEMORY_LIMIT.match(raw):
        raise ConfigurationError(f"{name} must be a size such as 512MB or 2GB, not {raw!r}")
    return raw


def load_settings(
    environ: Mapping[str, str] | None = None, secrets_path: Path = SECRETS_PATH
) -> Settings:
    """Return the settings from the environment, the secrets file and the defaults."""
    environ = os.environ if environ is None else environ
    url = environ.get("MODQA_WAREHOUSE_URL") or _secrets_url(secrets_path)
    is_demo = url is None
    if url is None:
        url = f"duckdb:///{DEMO_WAREHOUSE_PATH}"
    return Settings(
        warehouse_url=url,
        is_embedded_demo=is_demo,
        schema=environ.get("MODQA_SCHEMA") or None,
        min_sample=_int_setting(environ, "MODQA_MIN_SAMPLE", 30),
        appeal_window_days=_int_setting(environ, "MODQA_APPEAL_WINDOW_DAYS", 30),
        cache_ttl_seconds=_int_setting(environ, "MODQA_CACHE_TTL_SECONDS", 600),
        query_timeout_seconds=_int_setting(environ, "MODQA_QUERY_TIMEOUT_SECONDS", 30),
        drill_through_cap=_int_setting(environ, "MODQA_DRILL_THROUGH_CAP", 5000),
        duckdb_memory_limit=_memory_setting(environ, "MODQA_DUCKDB_MEMORY_LIMIT", "512MB"),
        duckdb_threads=_int_setting(environ, "MODQA_DUCKDB_THREADS", 2),
        use_rollups=environ.get("MODQA_USE_ROLLUPS", "1").strip().lower()
        not in ("0", "false", "no", "off"),
    )


def redacted(url: str) -> str:
    """Return the URL with any password masked, safe for logs and the page."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except (sa.exc.ArgumentError, ValueError):  # ValueError: a port that is not a number
        return "<unparseable warehouse URL>"
