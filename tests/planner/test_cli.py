"""python -m planner plan / draw, as a scheduled job or a QA lead runs them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.__main__ import main

PLAN_WEEK = "2026-W47"  # 16-22 Nov 2026, the test warehouse's last complete week


def plan_file(duckdb_url: str, tmp_path: Path, budget: int = 1500) -> Path:
    out = tmp_path / "plan.csv"
    status = main(
        [
            "plan",
            "--budget",
            str(budget),
            "--week",
            PLAN_WEEK,
            "--out",
            str(out),
            "--url",
            duckdb_url,
        ]
    )
    assert status == 0
    return out


def test_plan_writes_every_stratum_with_the_budget_exactly_spent(duckdb_url, raw, tmp_path, capsys):
    out = plan_file(duckdb_url, tmp_path)
    captured = capsys.readouterr()
    plan = pd.read_csv(out)
    assert plan["inspections"].sum() == 1500
    assert (plan["inspections"] <= plan["expected_decisions"]).all()
    assert (plan["inspections"] >= plan["floor"]).all()
    assert (plan["floor"] >= plan["expected_decisions"].clip(upper=2)).all()
    assert plan["inclusion_probability"].to_numpy() == pytest.approx(
        (plan["inspections"] / plan["expected_decisions"]).to_numpy()
    )
    # Expected decisions: the mean of the 4 weeks before, counted here from the raw rows.
    decisions = raw["decisions"]
    decided = pd.to_datetime(decisions["decided_at"])
    window = (decided >= pd.Timestamp("2026-10-19")) & (decided < pd.Timestamp("2026-11-16"))
    us = decisions[window & (decisions["market_code"] == "US")]
    us = us[(us["policy_area"] == "listing") & (us["vendor_code"] == "in_house")]
    row = plan[(plan["market_code"] == "US") & (plan["policy_area"] == "listing")]
    row = row[row["vendor_code"] == "in_house"]
    assert row["expected_decisions"].item() == round(len(us) / 4)
    assert row["market_name"].item() == "United States"
    assert captured.out.startswith(f"Wrote {out}: 1,500 inspections over {len(plan)} strata")
    assert "Allocating the budget" in captured.err


def test_a_budget_too_small_for_the_floors_exits_2_with_the_inspections_needed(
    duckdb_url, tmp_path, capsys
):
    status = main(
        [
            "plan",
            "--budget",
            "10",
            "--week",
            PLAN_WEEK,
            "--out",
            str(tmp_path / "p.csv"),
            "--url",
            duckdb_url,
        ]
    )
    assert status == 2
    assert "A budget of 10 inspections cannot cover the floors, which need" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "p.csv").exists()


def test_a_malformed_week_or_budget_is_refused_by_the_arguments(tmp_path, capsys):
    for arguments in (
        ["--budget", "100", "--week", "2026-W99"],
        ["--budget", "-5", "--week", "2026-W47"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(["plan", *arguments, "--out", str(tmp_path / "p.csv")])
        assert exit_info.value.code == 2
    assert "is not an ISO week like 2026-W40" in capsys.readouterr().err


def test_a_week_with_nothing_before_it_exits_3(duckdb_url, tmp_path, capsys):
    status = main(
        [
            "plan",
            "--budget",
            "100",
            "--week",
            "2020-W02",
            "--out",
            str(tmp_path / "p.csv"),
            "--url",
            duckdb_url,
        ]
    )
    assert status == 3 and "nothing to plan from" in capsys.readouterr().err


def test_an_unreachable_warehouse_exits_1(tmp_path, capsys):
    url = f"duckdb:///{tmp_path / 'missing' / 'nowhere.duckdb'}"
    status = main(
        [
            "plan",
            "--budget",
            "100",
            "--week",
            PLAN_WEEK,
            "--out",
            str(tmp_path / "p.csv"),
            "--url",
            url,
        ]
    )
    assert status == 1 and "did not answer" in capsys.readouterr().err


def test_draw_exports_a_reproducible_sample_with_weights(duckdb_url, raw, tmp_path, capsys):
    plan = plan_file(duckdb_url, tmp_path)
    samples = []
    for name, seed in (("a.csv", 7), ("b.csv", 7), ("c.csv", 8)):
        out = tmp_path / name
        status = main(
            [
                "draw",
                "--plan",
                str(plan),
                "--week",
                PLAN_WEEK,
                "--seed",
                str(seed),
                "--out",
                str(out),
                "--url",
                duckdb_url,
            ]
        )
        assert status == 0
        samples.append(out.read_text(encoding="utf-8"))
    assert samples[0] == samples[1], "the same seed draws the same sample"
    assert samples[0] != samples[2]
    sample = pd.read_csv(tmp_path / "a.csv")
    decisions = raw["decisions"].set_index("decision_id")
    decided = pd.to_datetime(decisions.loc[sample["decision_id"], "decided_at"])
    assert decided.min() >= pd.Timestamp("2026-11-16")
    assert decided.max() < pd.Timestamp("2026-11-23")
    assert sample["decision_id"].is_unique
    assert (sample["inclusion_probability"] > 0).all()
    assert sample["sampling_weight"].to_numpy() == pytest.approx(
        1 / sample["inclusion_probability"].to_numpy()
    )
    # Horvitz-Thompson: the weights add up to the week's decisions.
    week = raw["decisions"][
        (pd.to_datetime(raw["decisions"]["decided_at"]) >= pd.Timestamp("2026-11-16"))
        & (pd.to_datetime(raw["decisions"]["decided_at"]) < pd.Timestamp("2026-11-23"))
    ]
    assert sample["sampling_weight"].sum() == pytest.approx(len(week))
    assert "decisions to inspect of" in capsys.readouterr().out


def test_draw_refuses_a_file_that_is_not_a_plan(duckdb_url, tmp_path, capsys):
    bogus = tmp_path / "bogus.csv"
    bogus.write_text("a,b\n1,2\n", encoding="utf-8")
    status = main(
        [
            "draw",
            "--plan",
            str(bogus),
            "--week",
            PLAN_WEEK,
            "--seed",
            "1",
            "--out",
            str(tmp_path / "s.csv"),
            "--url",
            duckdb_url,
        ]
    )
    assert status == 2 and "is not a plan" in capsys.readouterr().err
