"""A throwaway two-shard ClickHouse cluster on loopback, for the tests and the benchmark.

    python -m tests.clickhouse_cluster check   # start both servers, run one query, stop
    python -m tests.clickhouse_cluster serve   # keep them up, print the URL; Ctrl-C/TERM stop

Two ``clickhouse-server`` processes (Debian's 18.16 package) each get their own config,
data and log directories under one temporary directory, free ports on 127.0.0.1 only, and
the same ``remote_servers`` entry naming both as the shards of cluster ``CLUSTER``. Nothing
under /etc or /var is used, so the packaged service may stay stopped.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

CLUSTER = "modqa"
DATABASE = "modqa"
SERVER_BINARY = "clickhouse-server"
STARTUP_SECONDS = 60.0


class ClusterUnavailable(RuntimeError):
    """ClickHouse could not be started here; the message says why."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _remote_servers(ports: list[int]) -> str:
    shards = "".join(
        f"<shard><replica><host>127.0.0.1</host><port>{port}</port></replica></shard>"
        for port in ports
    )
    return f"<remote_servers><{CLUSTER}>{shards}</{CLUSTER}></remote_servers>"


def _config(root: Path, tcp_port: int, http_port: int, remote_servers: str) -> str:
    # Small caches and pools: eight engineers share two cores and the tests hold ~60k rows.
    return f"""<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>{escape(str(root / "log" / "server.log"))}</log>
    <errorlog>{escape(str(root / "log" / "error.log"))}</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>{tcp_port}</tcp_port>
  <http_port>{http_port}</http_port>
  <path>{escape(str(root / "data"))}/</path>
  <tmp_path>{escape(str(root / "tmp"))}/</tmp_path>
  <user_files_path>{escape(str(root / "user_files"))}/</user_files_path>
  <format_schema_path>{escape(str(root / "format_schemas"))}/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  {remote_servers}
</yandex>
"""


USERS = """<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>2000000000</max_memory_usage>
      <max_threads>2</max_threads>
      <background_pool_size>2</background_pool_size>
      <background_schedule_pool_size>2</background_schedule_pool_size>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
"""


@dataclass
class Server:
    """One clickhouse-server process: its directory, ports and process handle."""

    root: Path
    tcp_port: int
    http_port: int
    process: subprocess.Popen | None = None

    def log_tail(self, lines: int = 15) -> str:
        """Return the last lines of the server's error log and console output."""
        text = []
        for name in ("log/error.log", "console.log"):
            path = self.root / name
            if path.is_file():
                text += path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(text)


@dataclass
class ClickHouseCluster:
    """Two loopback ClickHouse servers forming the shards of one cluster.

    Use as a context manager; ``url`` is a SQLAlchemy URL on the first server, with the
    cluster named in its ``cluster`` query parameter.
    """

    servers: list[Server] = field(default_factory=list)
    root: Path | None = None

    def __enter__(self) -> ClickHouseCluster:
        if not self.servers:
            self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Return the SQLAlchemy URL of the cluster's database, reached through shard 1."""
        port = self.servers[0].tcp_port
        return f"clickhouse+native://default@127.0.0.1:{port}/{DATABASE}?cluster={CLUSTER}"

    def start(self) -> None:
        """Start both servers and wait until each answers a query and sees the cluster."""
        binary = shutil.which(SERVER_BINARY)
        if binary is None:
            raise ClusterUnavailable(
                f"{SERVER_BINARY} is not installed (apt-get install clickhouse-server)"
            )
        try:
            import clickhouse_driver  # noqa: F401
            import clickhouse_sqlalchemy  # noqa: F401
        except ImportError as error:
            raise ClusterUnavailable(
                f"{error.name} is not installed (see requirements-nodeps.txt)"
            ) from None
        self.root = Path(tempfile.mkdtemp(prefix="modqa-clickhouse-"))
        ports = [(free_port(), free_port()) for _ in range(2)]
        remote_servers = _remote_servers([tcp for tcp, _ in ports])
        try:
            for index, (tcp_port, http_port) in enumerate(ports, start=1):
                server = Server(self.root / f"shard{index}", tcp_port, http_port)
                for sub in ("log", "data", "tmp", "user_files", "format_schemas"):
                    (server.root / sub).mkdir(parents=True)
                config = server.root / "config.xml"
                config.write_text(_config(server.root, tcp_port, http_port, remote_servers))
                (server.root / "users.xml").write_text(USERS)
                with (server.root / "console.log").open("wb") as console:
                    server.process = subprocess.Popen(
                        [binary, f"--config-file={config}"],
                        stdout=console,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        cwd=server.root,
                    )
                self.servers.append(server)
            for server in self.servers:
                self._wait_until_ready(server)
            self._query(self.servers[0], f"CREATE DATABASE IF NOT EXISTS {DATABASE}")
            self._query(self.servers[1], f"CREATE DATABASE IF NOT EXISTS {DATABASE}")
        except BaseException:
            self.stop()
            raise

    def _query(self, server: Server, sql: str) -> list[tuple]:
        from clickhouse_driver import Client

        client = Client("127.0.0.1", port=server.tcp_port, connect_timeout=2)
        try:
            return client.execute(sql)
        finally:
            client.disconnect()

    def _wait_until_ready(self, server: Server) -> None:
        from clickhouse_driver.errors import Error as DriverError

        # The driver logs every refused connection with a traceback; while the server
        # starts, refusals are expected, and the last one is reported if it never answers.
        logging.getLogger("clickhouse_driver.connection").setLevel(logging.CRITICAL)
        try:
            self._poll_until_ready(server, DriverError)
        finally:
            logging.getLogger("clickhouse_driver.connection").setLevel(logging.NOTSET)

    def _poll_until_ready(self, server: Server, driver_error: type[Exception]) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise ClusterUnavailable(
                    f"clickhouse-server on port {server.tcp_port} exited with status "
                    f"{server.process.returncode}:\n{server.log_tail()}"
                )
            try:
                clusters = self._query(
                    server, f"SELECT count() FROM system.clusters WHERE cluster = '{CLUSTER}'"
                )
            except (driver_error, OSError, EOFError) as error:
                last_error = error
                time.sleep(0.1)
                continue
            if clusters[0][0] == 2:
                return
            last_error = ClusterUnavailable(f"cluster {CLUSTER} has {clusters[0][0]} shards")
            time.sleep(0.1)
        raise ClusterUnavailable(
            f"clickhouse-server on port {server.tcp_port} did not answer within "
            f"{STARTUP_SECONDS:.0f} s ({last_error}):\n{server.log_tail()}"
        )

    def stop(self) -> None:
        """Stop both servers (only the processes this object started) and delete their files."""
        for server in self.servers:
            if server.process is not None and server.process.poll() is None:
                server.process.terminate()
        for server in self.servers:
            if server.process is None:
                continue
            try:
                server.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
        self.servers = []
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None


def main(argv: list[str] | None = None) -> int:
    """Start a cluster, check it (or serve it until interrupted), stop it; return the status."""
    parser = argparse.ArgumentParser(prog="python -m tests.clickhouse_cluster")
    parser.add_argument("action", choices=("check", "serve"))
    arguments = parser.parse_args(argv)
    try:
        with ClickHouseCluster() as cluster:
            rows = cluster._query(
                cluster.servers[0],
                f"SELECT count() FROM remote('127.0.0.1:{cluster.servers[1].tcp_port}',"
                " system.one)",
            )
            print(f"ClickHouse two-shard cluster answered ({rows[0][0]}): {cluster.url}")
            if arguments.action == "serve":
                # SIGTERM too (a background job ignores Ctrl-C), so the servers always stop.
                signal.signal(signal.SIGTERM, signal.default_int_handler)
                print("Serving until interrupted (Ctrl-C or SIGTERM).", flush=True)
                try:
                    while all(s.process.poll() is None for s in cluster.servers):
                        time.sleep(1)
                except KeyboardInterrupt:
                    pass
    except ClusterUnavailable as error:
        print(f"ClickHouse cluster could not start: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
