"""The contract check names every missing table and column in plain words."""

from __future__ import annotations

import duckdb
import pytest
import sqlalchemy as sa

from data_access import validate


@pytest.fixture
def broken_url(duckdb_url, tmp_path) -> str:
    """Return a copy of the demo warehouse without appeals, decisions.queue, with a text time."""
    path = tmp_path / "broken.duckdb"
    source = sa.make_url(duckdb_url).database
    connection = duckdb.connect(str(path))
    connection.execute(f"ATTACH '{source}' AS good (READ_ONLY)")
    for table in ("markets", "policy_labels", "vendors", "penalties"):
        connection.execute(f"CREATE TABLE {table} AS SELECT * FROM good.{table} LIMIT 5")
    connection.execute(
        "CREATE TABLE decisions AS SELECT * EXCLUDE (queue) FROM good.decisions LIMIT 5"
    )
    connection.execute(
        "CREATE TABLE qa_inspections AS SELECT * REPLACE (CAST(inspected_at AS VARCHAR) AS"
        " inspected_at) FROM good.qa_inspections LIMIT 5"
    )
    connection.close()
    return f"duckdb:///{path}"


def test_contract_problems_name_missing_table_column_and_wrong_kind(broken_url):
    problems = validate.contract_problems(sa.create_engine(broken_url))
    assert problems == [
        "Table 'decisions' has no column 'queue' (it should hold text).",
        "Column 'qa_inspections.inspected_at' should hold timestamps, but its type is VARCHAR.",
        "Table 'appeals' is missing (it needs the columns appeal_id, decision_id, appealed_at,"
        " resolved_at, appeal_outcome).",
    ]


def test_validate_command_prints_problems_and_exits_non_zero(broken_url, capsys):
    assert validate.main(["--url", broken_url]) == 1
    printed = capsys.readouterr().out
    assert "Table 'appeals' is missing" in printed
    assert "has no column 'queue'" in printed
    assert "3 problem(s) found." in printed


def test_validate_command_accepts_every_demo_warehouse(warehouse, capsys):
    url = warehouse.url.render_as_string(hide_password=False)
    assert validate.main(["--url", url]) == 0
    assert "meets the contract" in capsys.readouterr().out


def test_validate_command_reports_an_unreachable_warehouse(capsys):
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:9/none"
    assert validate.main(["--url", url]) == 2
    error = capsys.readouterr().err
    assert "Could not read the warehouse" in error
    assert "secret" not in error, "passwords never reach the terminal"
