"""Where the app database lives: ``MODQA_APP_DB_URL``, ``[connections.appdb]``, or SQLite."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from data_access.config import PROJECT_ROOT, SECRETS_PATH, ConfigurationError

DEFAULT_APP_DB_PATH = PROJECT_ROOT / "data" / "app.sqlite"


def app_db_url(environ: Mapping[str, str] | None = None, secrets_path: Path = SECRETS_PATH) -> str:
    """Return the app database URL from the environment, the secrets file or the default."""
    environ = os.environ if environ is None else environ
    if environ.get("MODQA_APP_DB_URL"):
        return environ["MODQA_APP_DB_URL"]
    if secrets_path.is_file():
        try:
            secrets = tomllib.loads(secrets_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ConfigurationError(f"{secrets_path} is not valid TOML: {error}") from None
        section = secrets.get("connections", {}).get("appdb") or {}
        if "url" in section:
            return str(section["url"])
    return f"sqlite:///{DEFAULT_APP_DB_PATH}"
