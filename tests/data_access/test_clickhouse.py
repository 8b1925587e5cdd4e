"""The ClickHouse cluster: sharded by decision, read-only for the app, errors the app can catch."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from data_access import clickhouse, config, queries, validate
from data_access.dialect import split_cluster
from data_access.engine import read_only_engine, writable_engine
from tests.data_access.test_queries import FULL_RANGE

FACT_TABLES = ("decisions", "qa_inspections", "appeals", "penalties")


def _shard_rows(url: str) -> list[dict[str, pd.DataFrame]]:
    """Return, per server of the cluster, the decision ids in each fact table's shard table."""
    engine = writable_engine(url)
    try:
        servers = clickhouse._server_urls(engine, split_cluster(url)[1])
    finally:
        engine.dispose()
    shards = []
    for server_url in servers:
        server = sa.create_engine(server_url)
        try:
            with server.connect() as connection:
                shards.append(
                    {
                        table: pd.read_sql(
                            sa.text(f"SELECT decision_id FROM {table}_local"), connection
                        )
                        for table in FACT_TABLES
                    }
                )
        finally:
            server.dispose()
    return shards


def test_each_decision_and_everything_about_it_lives_on_one_shard(clickhouse_url, raw):
    shards = _shard_rows(clickhouse_url)
    assert len(shards) == 2
    decision_sets = [set(shard["decisions"]["decision_id"]) for shard in shards]
    assert not decision_sets[0] & decision_sets[1], "no decision is on both shards"
    assert decision_sets[0] | decision_sets[1] == set(raw["decisions"]["decision_id"])
    for shard, decision_ids in zip(shards, decision_sets, strict=True):
        # cityHash64 splits 60,000 ids roughly in half; a shard holding everything or
        # nothing would mean the sharding key was not applied.
        assert 0.4 < len(decision_ids) / len(raw["decisions"]) < 0.6
        for table in ("qa_inspections", "appeals", "penalties"):
            ids = set(shard[table]["decision_id"])
            assert ids, f"every shard holds some {table}"
            assert ids <= decision_ids, f"{table} rows sit on their decision's shard"
    for table in ("qa_inspections", "appeals", "penalties"):
        assert sum(len(shard[table]) for shard in shards) == len(raw[table])


def test_app_engine_is_read_only_on_clickhouse(clickhouse_url):
    engine = read_only_engine(config.Settings(warehouse_url=clickhouse_url, is_embedded_demo=False))
    try:
        with pytest.raises(sa.exc.DBAPIError), engine.connect() as connection:
            connection.execute(
                sa.text("INSERT INTO vendors (vendor_code, vendor_name) VALUES ('x', 'y')")
            )
        # A read that tries to lift readonly gets past the engine's own check of the statement
        # and is refused by the server itself: readonly=1 is in force there, not only here.
        with pytest.raises(sa.exc.DBAPIError, match="readonly"), engine.connect() as connection:
            connection.execute(sa.text("SELECT count() FROM vendors SETTINGS readonly = 0"))
        with engine.connect() as connection:
            settings = dict(
                connection.execute(
                    sa.text(
                        "SELECT name, value FROM system.settings WHERE name IN"
                        " ('readonly', 'join_use_nulls', 'distributed_product_mode',"
                        " 'max_execution_time')"
                    )
                ).all()
            )
            vendors = connection.execute(sa.text("SELECT count() FROM vendors")).scalar_one()
    finally:
        engine.dispose()
    assert settings == {
        "readonly": "1",
        "join_use_nulls": "1",
        "distributed_product_mode": "local",
        "max_execution_time": "30",
    }
    assert vendors == 7


def test_cluster_parameter_is_ours_and_never_reaches_the_server():
    url, cluster = split_cluster("clickhouse+native://u@h:9000/db?cluster=shards&compression=lz4")
    assert cluster == "shards"
    assert url.render_as_string() == "clickhouse+native://u@h:9000/db?compression=lz4"
    assert split_cluster("clickhouse+native://u@h:9000/db")[1] is None


def test_an_unknown_cluster_name_is_refused_with_its_name(clickhouse_url):
    url = sa.make_url(clickhouse_url).update_query_dict({"cluster": "nowhere"})
    engine = writable_engine(url.render_as_string(hide_password=False))
    try:
        with pytest.raises(ValueError, match="no cluster named 'nowhere'"):
            clickhouse.create_contract(engine, "nowhere")
    finally:
        engine.dispose()


def test_clickhouse_errors_reach_the_app_as_dbapi_errors():
    # Nothing listens on port 9 (discard): the app must see a DBAPIError it can explain.
    settings = config.Settings(
        warehouse_url="clickhouse+native://default@127.0.0.1:9/modqa", is_embedded_demo=False
    )
    engine = read_only_engine(settings)
    try:
        with (
            pytest.raises(sa.exc.DBAPIError, match="Connection refused"),
            engine.connect() as connection,
        ):
            connection.execute(sa.text("SELECT 1"))
    finally:
        engine.dispose()


def test_global_joins_give_the_same_counts_for_clusters_sharded_otherwise(clickhouse_url):
    # distributed_product_mode=global ships each join's right side to every shard, so it is
    # right whatever the sharding; on this cluster it must agree with the local joins.
    url = sa.make_url(clickhouse_url).update_query_dict({"distributed_product_mode": "global"})
    engines = [
        read_only_engine(
            config.Settings(
                warehouse_url=candidate.render_as_string(hide_password=False),
                is_embedded_demo=False,
            )
        )
        for candidate in (sa.make_url(clickhouse_url), url)
    ]
    try:
        with engines[1].connect() as connection:
            mode = connection.execute(
                sa.text("SELECT value FROM system.settings WHERE name = 'distributed_product_mode'")
            ).scalar_one()
        assert mode == "global"
        for query in (queries.inspection_counts, queries.appeal_counts, queries.penalty_counts):
            by = ["period", "market_code"]
            local, shipped = (query(engine, FULL_RANGE, by) for engine in engines)
            assert len(local) > 0
            pd.testing.assert_frame_equal(local, shipped)
    finally:
        for engine in engines:
            engine.dispose()


def test_validate_accepts_the_cluster_url_as_the_demo_generator_takes_it(clickhouse_url, capsys):
    assert validate.main(["--url", clickhouse_url]) == 0
    assert "meets the contract" in capsys.readouterr().out


def test_server_errors_read_as_one_plain_line_without_a_stack_trace(clickhouse_url):
    engine = read_only_engine(config.Settings(warehouse_url=clickhouse_url, is_embedded_demo=False))
    try:
        with pytest.raises(sa.exc.DBAPIError) as raised, engine.connect() as connection:
            connection.execute(sa.text("SELECT no_such_column FROM vendors"))
    finally:
        engine.dispose()
    message = str(raised.value.orig)
    assert "Unknown identifier: no_such_column" in message
    assert "Stack trace" not in message and "libclickhouse" not in message
