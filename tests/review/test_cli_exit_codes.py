"""Each documented failure of the two commands ends in one line and its exit status: 2 for
bad arguments (an unwritable --out, checked before any work; a malformed URL), 1 for a
warehouse that cannot be read."""

from __future__ import annotations

import pytest

from data_access import validate
from review.__main__ import main as weekly_report

UNREACHABLE = "postgresql+psycopg://nobody:secret@127.0.0.1:9/none"


def run(argv: list[str], capsys) -> tuple[int, str]:
    try:
        status = weekly_report(["weekly-report", *argv])
    except SystemExit as exit_:
        status = exit_.code
    return status, capsys.readouterr().err


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: tmp / "a-file.txt" / "report.html", "cannot be created"),
    ],
)
def test_an_unwritable_out_is_refused_before_the_review_is_computed(out, message, tmp_path, capsys):
    (tmp_path / "a-file.txt").write_text("not a folder")
    # An unreachable warehouse would exit 1 after trying: exiting 2 with no progress shows
    # that the output was checked first.
    status, error = run(["--out", str(out(tmp_path)), "--url", UNREACHABLE], capsys)
    assert status == 2
    assert message in error
    assert "%" not in error, "no progress bar: nothing was computed"
    assert "Traceback" not in error


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://nobody@127.0.0.1:notaport/none",
        "not a url at all",
        "nosuchdialect://host/db",
    ],
)
def test_a_malformed_url_exits_2_with_one_line(url, tmp_path, capsys):
    status, error = run(["--out", str(tmp_path / "r.html"), "--url", url], capsys)
    assert status == 2
    assert len(error.strip().splitlines()) == 1 and "Traceback" not in error


def test_bad_arguments_exit_2(tmp_path, capsys):
    assert run(["--out", str(tmp_path / "r.html"), "--week", "2026-W٤٠"], capsys)[0] == 2
    assert run(["--no-such-option"], capsys)[0] == 2


def test_an_unreachable_warehouse_exits_1_without_the_password(tmp_path, capsys):
    status, error = run(["--out", str(tmp_path / "r.html"), "--url", UNREACHABLE], capsys)
    assert status == 1
    assert "did not answer" in error and "secret" not in error


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://nobody@127.0.0.1:notaport/none",
        "mysql+pymysql://root@127.0.0.1:99999999999/x",
        "not a url at all",
        "nosuchdialect://host/db",
    ],
)
def test_validate_exits_2_on_a_malformed_url(url, capsys):
    assert validate.main(["--url", url]) == 2
    error = capsys.readouterr().err
    assert error.strip() and "Traceback" not in error


def test_validate_exits_2_on_bad_arguments(capsys):
    with pytest.raises(SystemExit) as exit_:
        validate.main(["--no-such-option"])
    assert exit_.value.code == 2
