"""The app database creates its schema once and a second start changes and loses nothing."""

from __future__ import annotations

import sqlalchemy as sa

from appdb.config import app_db_url as configured_url
from appdb.migrations import Migration, applied, migrate, registered
from appdb.store import open_app_db

notes = sa.Table(
    "test_notes",
    sa.MetaData(),
    sa.Column("note_id", sa.Integer, primary_key=True),
    sa.Column("text", sa.String(200), nullable=False),
)


def _create_notes(connection: sa.Connection) -> None:
    notes.create(connection)


def _add_colour(connection: sa.Connection) -> None:
    connection.execute(sa.text("ALTER TABLE test_notes ADD COLUMN colour VARCHAR(20)"))


FIRST = [Migration("test_0001_notes", _create_notes)]
BOTH = FIRST + [Migration("test_0002_colour", _add_colour)]


def test_first_start_applies_every_migration_and_second_start_none(app_db_url):
    engine = sa.create_engine(app_db_url)
    assert migrate(engine, FIRST) == ["test_0001_notes"]
    with engine.begin() as connection:
        connection.execute(notes.insert().values(note_id=1, text="kept"))
    assert migrate(engine, FIRST) == []
    with engine.connect() as connection:
        assert connection.execute(sa.select(notes.c.text)).scalars().all() == ["kept"]
    engine.dispose()


def test_a_later_migration_applies_alone_and_keeps_rows(app_db_url):
    engine = sa.create_engine(app_db_url)
    migrate(engine, FIRST)
    with engine.begin() as connection:
        connection.execute(notes.insert().values(note_id=1, text="kept"))
    assert migrate(engine, BOTH) == ["test_0002_colour"]
    assert applied(engine) == ["test_0001_notes", "test_0002_colour"]
    with engine.connect() as connection:
        row = connection.execute(sa.text("SELECT text, colour FROM test_notes")).one()
    assert tuple(row) == ("kept", None)
    engine.dispose()


def test_open_app_db_applies_the_registered_migrations_once(app_db_url):
    engine = open_app_db(app_db_url)
    assert applied(engine) == [m.migration_id for m in registered()]
    engine.dispose()
    again = open_app_db(app_db_url)
    assert applied(again) == [m.migration_id for m in registered()]
    again.dispose()


def test_default_app_db_is_a_sqlite_file_under_data(tmp_path):
    url = configured_url(environ={}, secrets_path=tmp_path / "none.toml")
    assert url.startswith("sqlite:///") and url.endswith("data/app.sqlite")
    assert configured_url(environ={"MODQA_APP_DB_URL": "sqlite:///x.db"}) == "sqlite:///x.db"
