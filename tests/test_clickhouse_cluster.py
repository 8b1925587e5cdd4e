"""The test cluster harness: two servers up on loopback, then gone without a trace."""

from __future__ import annotations

import socket

import pytest

from tests import clickhouse_cluster
from tests.clickhouse_cluster import ClickHouseCluster, ClusterUnavailable
from tests.conftest import _unavailable


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_missing_server_binary_is_reported_with_the_install_command(monkeypatch):
    monkeypatch.setattr(clickhouse_cluster, "SERVER_BINARY", "no-such-clickhouse-server")
    with pytest.raises(ClusterUnavailable, match="apt-get install clickhouse-server"):
        ClickHouseCluster().start()


def test_the_cluster_stops_both_servers_and_removes_their_files():
    cluster = ClickHouseCluster()
    try:
        cluster.start()
    except ClusterUnavailable as error:
        _unavailable("ClickHouse", error)
    with cluster:
        ports = [server.tcp_port for server in cluster.servers]
        root = cluster.root
        assert len(ports) == 2 and all(_listening(port) for port in ports)
        configs = [(root / f"shard{i}" / "config.xml").read_text() for i in (1, 2)]
        # Loopback only, and each server names both shards of one cluster.
        assert all("<listen_host>127.0.0.1</listen_host>" in config for config in configs)
        assert all(f"<port>{port}</port>" in configs[0] for port in ports)
    assert not any(_listening(port) for port in ports)
    assert not root.exists()
