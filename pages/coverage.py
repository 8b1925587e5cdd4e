"""QA coverage and planner, for QA leads: is each stratum judged, and where should next
week's inspections go?"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from data_access import queries
from metrics.allocation import BudgetTooSmall
from metrics.coverage import STATUS, coverage_summary, stratum_coverage
from planner.plan import STRATUM_KEYS, PlanSettings, build_plan, plan_table
from review.weeks import describe_week, iso_week
from ui import boundary, downloads, filters, planning, warehouse
from ui.links import Choice, ascii_number, describe_filters
from ui.shell import require_app_navigation
from ui.text import md

MAX_BUDGET = 10_000_000
TARGETS = tuple(str(points) for points in (1, 2, 3, 4, 5, 6, 7, 8, 10, 15))
RISK_SHARES = ("0", "10", "20", "30", "50")
TARGET_CHOICE = Choice(
    key="target",
    allowed=TARGETS,
    default="5",
    noun="target margin",
    label="Target margin",
    names={points: f"±{points} points" for points in TARGETS},
)
ROWS_CHOICE = Choice(
    key="rows",
    allowed=("strata", "moderators"),
    default="strata",
    noun="row choice",
    label="Rows",
    names={"strata": "Market × policy area × vendor", "moderators": "… × moderator"},
)
BUDGET_CHOICE = Choice(
    key="budget",
    allowed=lambda value: ascii_number(value, 1, MAX_BUDGET) is not None,
    default="",
    noun="weekly budget (a whole number of inspections)",
)
RISK_CHOICE = Choice(key="risk", allowed=RISK_SHARES, default="20", noun="risk share")
STATUS_COLOURS = {
    STATUS["wider"]: "background-color: rgba(255, 170, 0, 0.18)",
    STATUS["not_judged"]: "background-color: rgba(128, 128, 128, 0.18)",
}
# The dashboard's one set of policy-area names, as the sidebar shows them.
POLICY_NAMES = filters.POLICY_AREA_NAMES
PERCENT = st.column_config.NumberColumn(format="%.1f%%", width="small")


def _names(options: queries.FilterOptions) -> dict[str, pd.Series]:
    return {
        "market_code": options.markets.set_index("market_code")["market_name"],
        "vendor_code": options.vendors.set_index("vendor_code")["vendor_name"],
    }


def _readable(frame: pd.DataFrame, names: dict[str, pd.Series]) -> pd.DataFrame:
    """Return the frame with market and vendor codes replaced by their names."""
    frame = frame.copy()
    for column, mapping in names.items():
        if column in frame:
            frame[column] = frame[column].map(mapping).fillna(frame[column])
    if "policy_area" in frame:
        frame["policy_area"] = frame["policy_area"].map(POLICY_NAMES).fillna(frame["policy_area"])
    return frame


# Wide enough for the longest demo stratum, "United Kingdom · Intellectual property · Bluefin
# Trust & Safety" (358 px in the grid's 14 px Source Sans, measured in Chromium, plus padding).
STRATUM_COLUMN = st.column_config.TextColumn(width=380, help="Market · policy area · vendor")


def _stratum_names(table: pd.DataFrame) -> pd.Series:
    """Return "Indonesia · Listing · Northwind BPO" per row."""
    return table["market_code"] + " · " + table["policy_area"] + " · " + table["vendor_code"]


def _interval(lower: pd.Series, upper: pd.Series) -> pd.Series:
    return pd.Series(
        [
            "–" if np.isnan(low) else f"{low * 100:.1f}–{high * 100:.1f}"
            for low, high in zip(lower, upper, strict=True)
        ],
        index=lower.index,
    )


def _coverage_counts(view, keys: tuple[str, ...]) -> pd.DataFrame:
    decisions = warehouse.query(queries.decision_counts, view.filters, keys)
    inspected = warehouse.query(queries.inspection_counts, view.filters, keys)
    merged = decisions[[*keys, "decisions"]].merge(inspected, on=list(keys), how="left")
    return merged


@boundary.guard("the coverage table")
def coverage_section(view, target: float, names: dict[str, pd.Series]) -> None:
    """Draw the coverage summary, the weighted-vs-plain note and the stratum table."""
    by_moderator = view.choices["rows"] == "moderators"
    keys = (*STRATUM_KEYS, "moderator_id") if by_moderator else STRATUM_KEYS
    counts = _coverage_counts(view, keys)
    if counts.empty:
        st.info(f"No decisions for {md(describe_filters(view.filters))}. Widen the dates.")
        return
    min_sample = warehouse.settings().min_sample
    coverage = stratum_coverage(counts, target=target, min_sample=min_sample)
    summary = coverage_summary(coverage)
    points = f"±{target * 100:g} points"
    first, second, third, fourth = st.columns(4)
    first.metric(
        f"Judged at {points}",
        f"{summary['at_target']:,} of {summary['strata']:,}",
        help="Strata with enough inspections to be judged whose weighted accuracy interval "
        f"is no wider than {points}.",
        border=True,
    )
    second.metric(f"Wider than {points}", f"{summary['wider']:,}", border=True)
    third.metric(
        "Not judgeable",
        f"{summary['not_judged']:,}",
        help=f"Fewer than {min_sample} effective inspections: not judged anywhere on the "
        "dashboard.",
        border=True,
    )
    fourth.metric(
        "Inspections needed",
        f"{summary['needed']:,}",
        help=f"More inspections, in this period, for every stratum to reach {points} "
        "(sample-size formula with finite population correction).",
        border=True,
    )
    if abs(summary["difference"]) >= 0.01:
        st.info(
            f"Weighted accuracy is {summary['weighted_accuracy']:.1%}; the plain share of "
            f"correct inspections is {summary['plain_accuracy']:.1%} "
            f"({summary['difference'] * 100:+.1f} points). Inspections were not drawn with "
            "equal chances, so the plain share over-counts the strata QA looked at hardest: "
            "the weighted figure is the honest one. "
            f"{summary['strata_differing']:,} judged strata differ by a point or more.",
            icon=":material/balance:",
        )
    elif summary["strata_differing"]:
        st.caption(
            f"Weighted and plain accuracy agree overall; in {summary['strata_differing']:,} "
            "judged strata they differ by a point or more (see the table)."
        )
    order = {"not_judged": 0, "wider": 1, "at_target": 2}
    coverage = coverage.assign(order=coverage["status"].map(order)).sort_values(
        ["order", "decisions"], ascending=[True, False]
    )
    table = _readable(coverage, names)
    shown = pd.DataFrame(
        {
            "Stratum": _stratum_names(table),
            **({"Moderator": table["moderator_id"].astype(str)} if by_moderator else {}),
            "Decisions": table["decisions"],
            "Inspected": table["inspections"].astype("int64"),
            "Rate": table["sampling_rate"] * 100,
            "Accuracy": table["accuracy"] * 100,
            "95% CI": _interval(table["lower"], table["upper"]),
            "±": table["margin"] * 100,
            "Status": table["status"].map(STATUS),
            "Needed": table["needed"],
        }
    ).reset_index(drop=True)
    st.dataframe(
        shown.style.map(lambda status: STATUS_COLOURS.get(status, ""), subset=["Status"]),
        hide_index=True,
        height=420,
        # What a QA lead acts on fits a 1024 px page with whole stratum names; the interval,
        # the volumes and (by moderator) the accuracy are in the CSV.
        column_order=(
            ("Stratum", "Moderator", "Status", "Needed")
            if by_moderator
            else ("Stratum", "Accuracy", "Status", "Needed")
        ),
        column_config={
            "Stratum": STRATUM_COLUMN,
            "Moderator": st.column_config.TextColumn(width=85),
            "Decisions": st.column_config.NumberColumn(format="localized", width=75),
            "Inspected": st.column_config.NumberColumn(format="localized", width=70),
            "Rate": st.column_config.NumberColumn(
                format="%.1f%%", width=55, help="Sampling rate: inspected of decisions"
            ),
            "Accuracy": st.column_config.NumberColumn(
                format="%.1f%%", width=70, help="Weighted (Hájek) accuracy"
            ),
            "95% CI": st.column_config.TextColumn(width=85, help="95% interval, in %"),
            "±": st.column_config.NumberColumn(
                format="%.1f", width=45, help="Achieved margin: half the interval, in points"
            ),
            "Status": st.column_config.TextColumn(width=95),
            "Needed": st.column_config.NumberColumn(
                format="localized", width=60, help=f"More inspections to reach {points}"
            ),
        },
    )
    st.caption(
        f"Accuracy is weighted by sampling weight, with a 95% Wilson interval on Kish's "
        f"effective n; the margin is half its width. Strata wider than {points} are "
        f"highlighted in amber, strata below {min_sample} effective inspections in grey. "
        "Needed: more inspections to reach the target. The CSV adds the 95% interval, "
        "decisions, inspections, sampling rate and margin (and, by moderator, accuracy)."
    )
    downloads.csv_button(
        shown,
        "Download coverage (CSV)",
        file_name=f"qa_coverage_{view.filters.start}_{view.filters.end}.csv",
        key="download-coverage",
    )


def _plan_week(end: dt.date) -> dt.date:
    """Return the Monday after the period: the week the planner plans."""
    return end + dt.timedelta(days=7 - end.weekday())


def _default_budget(view, week_start: dt.date) -> int:
    """Return the most inspections QA did for any of the 4 weeks before the plan: the
    latest week's cohort is still being inspected, so the largest is the full week."""
    recent = view.filters.with_range(
        week_start - dt.timedelta(weeks=4), week_start - dt.timedelta(days=1)
    )
    weekly = warehouse.query(queries.inspection_counts, replace(recent, grain="week"), ("period",))
    return int(weekly["inspections"].max()) if len(weekly) else 0


@boundary.guard("the planner")
def planner_section(view, target: float, names: dict[str, pd.Series]) -> None:
    """Draw the planner: inputs, the headline before and after, the side-by-side table."""
    week_start = _plan_week(view.filters.end)
    week = iso_week(week_start)
    st.subheader(f"Plan for {describe_week(week)}")
    default_budget = _default_budget(view, week_start) or 100
    budget = ascii_number(view.choices["budget"], 1, MAX_BUDGET) or default_budget
    left, right, _ = st.columns([1, 1, 2])
    budget = planning.choice_input(
        left.number_input,
        "Weekly budget (inspections)",
        "budget",
        budget,
        min_value=1,
        max_value=MAX_BUDGET,
        step=100,
    )
    risk = planning.choice_input(
        right.selectbox,
        "Risk share",
        "risk",
        view.choices["risk"],
        options=RISK_SHARES,
        format_func=lambda share: f"{share}% of the budget",
    )
    settings = PlanSettings(budget=int(budget), target_margin=target, risk_share=int(risk) / 100)
    inputs = planning.plan_inputs(week_start, view.filters)
    if not (inputs.strata["expected_decisions"] > 0).any():
        st.info(f"No decisions in the {settings.recent_weeks} weeks before {week} to plan from.")
        return
    try:
        plan = build_plan(inputs, settings)
    except BudgetTooSmall as error:
        st.error(
            f"{error} The floors give every stratum {settings.stratum_floor} inspections and "
            f"every moderator {settings.moderator_floor}, so nothing goes unwatched.",
            icon=":material/production_quantity_limits:",
        )
        return
    except ValueError as error:
        st.error(str(error))
        return
    summary = plan.summary
    points = f"±{target * 100:g} points"
    st.caption(
        f"Neyman allocation on each stratum's error rate over the {settings.history_weeks} "
        f"weeks before (shrunk towards the pooled {summary['pooled_error_rate']:.1%}), volumes "
        f"from the last {settings.recent_weeks} weeks, at least {settings.stratum_floor} per "
        f"stratum and {settings.moderator_floor} per moderator, {int(risk)}% of the budget by "
        "risk score (recent error rate, overturn rate, new moderators and new labels). Margins "
        f"are what {settings.horizon_weeks} weeks of this plan would give."
    )
    one, two, three = st.columns(3)
    one.metric(
        f"Strata judged at {points}",
        f"{summary['planned_judged']:,} of {summary['strata']:,}",
        delta=f"{summary['planned_judged'] - summary['proportional_judged']:+,} vs proportional",
        delta_color="normal",
        border=True,
    )
    overall = summary["planned_overall_margin"]
    one_margin = "–" if np.isnan(overall) else f"±{overall * 100:.2f} points"
    proportional_overall = summary["proportional_overall_margin"]
    two.metric(
        "Overall margin, one week",
        one_margin,
        help="Stratified estimate of accuracy over every stratum for the planned week. "
        + (
            "Proportional allocation leaves some strata without any inspection, so it has "
            "no overall estimate."
            if np.isnan(proportional_overall)
            else f"Proportional: ±{proportional_overall * 100:.2f} points."
        ),
        border=True,
    )
    three.metric(
        "Inspections moved",
        f"{summary['moved']:,}",
        help="Inspections the plan places differently from proportional allocation.",
        border=True,
    )
    strata = _readable(plan.strata, names)
    shown = pd.DataFrame(
        {
            "Stratum": _stratum_names(strata),
            "Per week": strata["expected_decisions"],
            "Error rate": strata["error_rate"] * 100,
            "Risk": strata["risk_score"],
            "Prop.": strata["proportional"],
            "Plan": strata["planned"],
            "Change": strata["change"],
            "± prop.": strata["proportional_margin"] * 100,
            "± plan": strata["planned_margin"] * 100,
        }
    ).sort_values("Change")
    st.dataframe(
        shown,
        hide_index=True,
        height=420,
        # The allocation and its effect fit a 1024 px page with whole stratum names;
        # proportional is Plan minus Change, and the CSV has every column.
        column_order=("Stratum", "Per week", "Plan", "Change", "± plan"),
        column_config={
            "Stratum": STRATUM_COLUMN,
            "Per week": st.column_config.NumberColumn(
                format="localized",
                width=70,
                help="Decisions expected per week: the mean of the recent weeks",
            ),
            "Error rate": st.column_config.NumberColumn(
                format="%.1f%%", width=70, help="Planning error rate (shrunk)"
            ),
            "Risk": st.column_config.NumberColumn(format="%.2f", width=50),
            "Prop.": st.column_config.NumberColumn(
                width=55, help="Proportional allocation of the same budget"
            ),
            "Plan": st.column_config.NumberColumn(width=55),
            "Change": st.column_config.NumberColumn(
                format="%+d", width=60, help="Plan minus proportional allocation"
            ),
            "± prop.": st.column_config.NumberColumn(
                format="%.1f", width=60, help="Expected margin (points) under proportional"
            ),
            "± plan": st.column_config.NumberColumn(
                format="%.1f", width=60, help="Expected margin (points) under the plan"
            ),
        },
    )
    downloads.csv_button(
        plan_table(plan),
        "Download the plan (CSV, with inclusion probabilities)",
        file_name=f"qa_plan_{week}.csv",
        key="download-plan",
    )
    st.caption(
        "Change: the plan against proportional allocation of the same budget; ± plan: "
        "expected margin in points under the plan. The CSV adds the proportional allocation, "
        "the error rate, the risk score and the margin under proportional allocation. "
        f"Draw the week's sample from the plan with `python -m planner draw --plan "
        f"qa_plan_{week}.csv --week {week} --seed N --out sample.csv`."
    )


@warehouse.guarded
def coverage() -> None:
    """Draw the QA coverage page."""
    view = filters.sidebar(
        dimensions=("markets", "policy_areas", "vendors"),
        choices=[TARGET_CHOICE, ROWS_CHOICE, BUDGET_CHOICE, RISK_CHOICE],
    )
    target = int(view.choices["target"]) / 100
    st.title("QA coverage")
    st.caption(
        f"{md(describe_filters(view.filters))} · is each stratum's accuracy judged to "
        f"±{target * 100:g} points, and where should next week's inspections go?"
    )
    options, _ = filters.known_values()
    names = _names(options)
    coverage_section(view, target, names)
    planner_section(view, target, names)


require_app_navigation()
coverage()
