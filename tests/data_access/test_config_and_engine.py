"""Where the warehouse URL comes from, and that the app's engine cannot write."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
import sqlalchemy as sa

from data_access import config, demo
from data_access.engine import read_only_engine


def test_environment_url_wins_over_secrets_and_default(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[connections.warehouse]\nurl = "postgresql+psycopg://from-secrets/db"\n')
    settings = config.load_settings({"MODQA_WAREHOUSE_URL": "duckdb:///env.duckdb"}, secrets)
    assert settings.warehouse_url == "duckdb:///env.duckdb"
    assert not settings.is_embedded_demo


def test_secrets_url_in_parts_follows_streamlits_connection_convention(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[connections.warehouse]\n"
        'dialect = "postgresql"\ndriver = "psycopg"\nusername = "analyst"\n'
        'password = "s3cret"\nhost = "db.internal"\nport = 5432\ndatabase = "dwh"\n'
    )
    settings = config.load_settings({}, secrets)
    assert settings.warehouse_url == "postgresql+psycopg://analyst:s3cret@db.internal:5432/dwh"
    assert config.redacted(settings.warehouse_url) == (
        "postgresql+psycopg://analyst:***@db.internal:5432/dwh"
    )


def test_without_configuration_the_embedded_demo_warehouse_is_used(tmp_path):
    settings = config.load_settings({}, tmp_path / "absent.toml")
    assert settings.is_embedded_demo
    assert settings.warehouse_url.endswith("data/demo.duckdb")
    assert (settings.min_sample, settings.appeal_window_days) == (30, 30)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MODQA_MIN_SAMPLE": "thirty"}, "MODQA_MIN_SAMPLE must be a whole number"),
        ({"MODQA_CACHE_TTL_SECONDS": "-5"}, "MODQA_CACHE_TTL_SECONDS must be positive"),
        (
            {"MODQA_DUCKDB_MEMORY_LIMIT": "lots'; DROP"},
            "MODQA_DUCKDB_MEMORY_LIMIT must be a size such as 512MB",
        ),
        ({"MODQA_DUCKDB_THREADS": "0"}, "MODQA_DUCKDB_THREADS must be positive"),
    ],
)
def test_unusable_settings_are_refused_with_their_name(tmp_path, environ, message):
    with pytest.raises(config.ConfigurationError, match=message):
        config.load_settings(environ, tmp_path / "absent.toml")


def test_malformed_secrets_file_is_reported_with_its_path(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[connections.warehouse\nurl = ")
    with pytest.raises(config.ConfigurationError, match="is not valid TOML"):
        config.load_settings({}, secrets)


def test_app_engine_refuses_to_write_on_every_dialect(warehouse):
    url = warehouse.url.render_as_string(hide_password=False)
    settings = config.Settings(warehouse_url=url, is_embedded_demo=False)
    if warehouse.dialect.name == "duckdb":
        warehouse.dispose()
    engine = read_only_engine(settings)
    try:
        with pytest.raises(sa.exc.DBAPIError), engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM vendors"))
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT COUNT(*) FROM vendors")).scalar_one() == 7
    finally:
        engine.dispose()


def test_the_duckdb_engine_keeps_to_its_memory_limit_and_threads(duckdb_url, tmp_path):
    # A copy: DuckDB refuses a second configuration for a file this process has open.
    copy = tmp_path / "copy.duckdb"
    shutil.copy(sa.make_url(duckdb_url).database, copy)
    environ = {
        "MODQA_WAREHOUSE_URL": f"duckdb:///{copy}",
        "MODQA_DUCKDB_MEMORY_LIMIT": "300MB",
        "MODQA_DUCKDB_THREADS": "1",
    }
    engine = read_only_engine(config.load_settings(environ, tmp_path / "absent.toml"))
    try:
        with engine.connect() as connection:
            limit, threads = connection.execute(
                sa.text("SELECT current_setting('memory_limit'), current_setting('threads')")
            ).one()
    finally:
        engine.dispose()
    # DuckDB reports 300 MB (10^6 bytes) in MiB: 300e6 / 2^20.
    assert (limit, threads) == ("286.1 MiB", 1)


def test_demo_generation_is_deterministic_for_a_seed(tmp_path, raw):
    spec = demo.DemoSpec(decisions=60_000, weeks=10, seed=11, end=dt.date(2026, 11, 22))
    frames = [frame for table, frame, _ in demo.generate(spec) if table == "qa_inspections"]
    again = [frame for table, frame, _ in demo.generate(spec) if table == "qa_inspections"]
    for first, second in zip(frames, again, strict=True):
        pd.testing.assert_frame_equal(first, second)
    assert sum(len(frame) for frame in frames) == len(raw["qa_inspections"])


def test_demo_has_the_documented_shape(raw):
    decisions = raw["decisions"]
    rejections = decisions[decisions["outcome"] == "reject"]
    assert decisions["market_code"].nunique() == 12
    assert set(decisions["policy_area"]) == {"partner", "listing", "content", "ipr"}
    assert 30 <= raw["policy_labels"]["label_code"].nunique() <= 50
    assert 5 <= raw["vendors"]["vendor_code"].nunique() <= 8
    assert decisions["moderator_id"].nunique() > 200
    volume = decisions["market_code"].value_counts()
    assert volume.max() > 10 * volume.min(), "markets have very different volumes"
    qa_share = len(raw["qa_inspections"]) / len(decisions)
    assert 0.01 < qa_share < 0.06, "QA samples a few percent"
    appeal_share = raw["appeals"]["decision_id"].nunique() / len(rejections)
    assert 0.05 <= appeal_share <= 0.20
    assert (raw["appeals"]["appeal_outcome"] == "pending").any()
    assert raw["penalties"]["reversed_at"].notna().any()
    last_day = decisions["decided_at"].max().normalize()
    pending = raw["appeals"][raw["appeals"]["appeal_outcome"] == "pending"]
    assert (pending["appealed_at"] > last_day - pd.Timedelta(days=21)).mean() > 0.9, (
        "pending appeals are recent"
    )
