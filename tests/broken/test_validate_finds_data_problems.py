"""validate names each problem of a broken warehouse, with a count and examples, and keeps
its exit codes: 1 for the schema, 3 for data only, 0 for a sound warehouse."""

from __future__ import annotations

import os

import pytest

from data_access import validate
from tests.broken.conftest import BREAKS, SCHEMA_BREAKS

FULL = os.environ.get("MODQA_HOSTILE_FULL") == "1"
# PostgreSQL copies cost a few seconds each: CI checks three, the full run all of them.
POSTGRES_SAMPLE = ("null_fact_keys", "future_dates", "missing_table")
CASES = [(name, "duckdb") for name in sorted(BREAKS)] + [
    (name, "postgresql") for name in sorted(BREAKS) if FULL or name in POSTGRES_SAMPLE
]


@pytest.mark.parametrize(("name", "engine"), CASES)
def test_validate_names_each_problem(name, engine, request, capsys):
    url_of = request.getfixturevalue(f"broken_{'duckdb' if engine == 'duckdb' else 'postgres'}")
    status = validate.main(["--url", url_of(name)])
    printed = capsys.readouterr().out
    assert BREAKS[name][1] in printed, printed
    assert status == (1 if name in SCHEMA_BREAKS else 3), printed


def test_validate_passes_a_sound_warehouse_and_warns_a_writable_role(postgres_url, capsys):
    # The test server's role is a superuser: exactly what an operator should not use.
    assert validate.main(["--url", postgres_url]) == 0
    printed = capsys.readouterr().out
    assert "Warning: the role connects as a PostgreSQL superuser" in printed
    assert "data problem" not in printed
