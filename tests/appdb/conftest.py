"""The app database on each engine it supports: SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from tests.conftest import MARIADB_URL, POSTGRES_URL, _admin, _server_reachable, _unavailable

APP_DB_ENGINES = ("sqlite", "postgresql", "mariadb")
# Not the warehouse's namespace: the app database is a separate store.
APP_NAMESPACE = f"modqa_appdb_{os.getpid()}"


@pytest.fixture(params=APP_DB_ENGINES)
def app_db_url(request, tmp_path) -> str:
    """Return the URL of an empty app database on each engine in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.sqlite'}"
        return
    server = POSTGRES_URL if request.param == "postgresql" else MARIADB_URL
    error = _server_reachable(server)
    if error:
        _unavailable(request.param, error)
    if request.param == "postgresql":
        _admin(server, f"DROP SCHEMA IF EXISTS {APP_NAMESPACE} CASCADE")
        _admin(server, f"CREATE SCHEMA {APP_NAMESPACE}")
        url = sa.make_url(server).update_query_dict({"options": f"-c search_path={APP_NAMESPACE}"})
        yield url.render_as_string(hide_password=False)
        _admin(server, f"DROP SCHEMA IF EXISTS {APP_NAMESPACE} CASCADE")
    else:
        _admin(server, f"DROP DATABASE IF EXISTS {APP_NAMESPACE}")
        _admin(server, f"CREATE DATABASE {APP_NAMESPACE}")
        yield sa.make_url(server).set(database=APP_NAMESPACE).render_as_string(hide_password=False)
        _admin(server, f"DROP DATABASE IF EXISTS {APP_NAMESPACE}")
