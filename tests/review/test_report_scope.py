"""The weekly-report command limited to a user's access, and saying whose it is."""

from __future__ import annotations

from pathlib import Path

from review.__main__ import EXIT_ARGUMENTS, EXIT_OK, main

ROLE_MAP = '[users."ann@example.com"]\nmarkets = ["ID"]\n'


def test_as_user_limits_the_report_to_their_markets_and_says_so(
    duckdb_url, tmp_path: Path, monkeypatch, capsys
):
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLE_MAP, encoding="utf-8")
    monkeypatch.setenv("MODQA_ROLE_MAP", str(roles))
    out = tmp_path / "ann.html"
    base = ["weekly-report", "--week", "2026-W46", "--url", duckdb_url]
    assert main([*base, "--out", str(out), "--as-user", "ann@example.com"]) == EXIT_OK
    assert "Data within the access of ann@example.com: ID." in out.read_text(encoding="utf-8")

    status = main([*base, "--out", str(out), "--as-user", "ann@example.com", "--market", "US"])
    assert status == EXIT_ARGUMENTS
    assert "US is outside the access of this user (ID)" in capsys.readouterr().err

    assert main([*base, "--out", str(out), "--as-user", "eve@example.com"]) == EXIT_ARGUMENTS
    assert "eve@example.com has no access to any market" in capsys.readouterr().err


def test_as_user_without_a_role_map_is_refused_plainly(duckdb_url, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MODQA_ROLE_MAP", raising=False)
    out = tmp_path / "r.html"
    status = main(["weekly-report", "--url", duckdb_url, "--out", str(out), "--as-user", "a@b.c"])
    assert status == EXIT_ARGUMENTS
    assert "set MODQA_ROLE_MAP" in capsys.readouterr().err
