"""Weekly review: what moved, what breached control limits, and a shareable report."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from metrics.registry import METRICS_BY_NAME
from review import figures, tables
from review.causes import top_causes
from review.narrative import points
from review.report import render_html
from review.standing import POOLED_WEEKS, STANDING_WEEKS
from review.weekly import BASELINE_WEEKS, CONTROL_METRICS, HEADLINE_METRICS, WeeklyReview
from review.weeks import describe_week, is_iso_week, iso_week, last_complete_week
from ui import actions as actions_ui
from ui import (
    audit,
    auth,
    boundary,
    data,
    downloads,
    filters,
    glossary,
    periods,
    sections,
    warehouse,
)
from ui import names as naming
from ui import review as review_ui
from ui.links import Choice
from ui.names import describe_filters
from ui.report_tables import (
    breaches_screen,
    headline_screen,
    markdown_table,
    movers_screen,
    not_judged_screen,
    report_table,
)
from ui.shell import require_app_navigation

WEEK_KEY = "week"
# Drawn by default: the markets that broke a rule in the reviewed week. At 100M decisions
# the p-chart limits are so narrow that 11 of 12 markets break one somewhere in 13 weeks,
# which buried this week's three under a wall of charts (and was most of the page's drawing).
CHARTS_CHOICE = Choice(
    key="charts",
    allowed=("week", "breaches", "all"),
    default="week",
    noun="choice of control charts",
    label="Control charts",
    names={
        # Short enough for the sidebar's select box at 1280 px (it cuts longer names).
        "week": "Breaches this week",
        "breaches": "Breaches in any charted week",
        "all": "Every market",
    },
)
STANDING_CHOICE = Choice(
    key="standing_weeks",
    allowed=("4", "8", "13", "26", "52"),
    default=str(STANDING_WEEKS),
    noun="standing-problems window",
    label="Standing problems over",
    names={value: f"the last {value} weeks" for value in ("4", "8", "13", "26", "52")},
)
POOLED_CHOICE = Choice(
    key="pooled_weeks",
    allowed=("2", "4", "8"),
    default=str(POOLED_WEEKS),
    noun="pooling window",
    label="Pool low-volume units over",
    names={value: f"the last {value} weeks" for value in ("2", "4", "8")},
)
CHART_COLUMNS = 3
# One metric's trend, one metric's control charts and one section below the headline at a
# time, each in the link (ui.sections): the review's figures are most of what the browser
# draws on this page.
HEADLINE_SECTIONS = sections.choice(
    "headline", {name: METRICS_BY_NAME[name].label for name in HEADLINE_METRICS}
)
CONTROL_SECTIONS = sections.choice(
    "control", {name: METRICS_BY_NAME[name].label for name in CONTROL_METRICS}
)
SECTIONS = sections.choice(
    "section",
    {
        "causes": "Root causes",
        "moved": "What moved",
        "control": "Control charts",
        "standing": "Standing problems",
        "pooled": "Low-volume units",
    },
)


def _percent(value: float) -> str:
    return "–" if value != value else f"{value:.1%}"  # NaN != NaN


def _week_choice(default: str) -> Choice:
    """Return the page's week parameter: an ISO week, or "latest" / "latest-N" (weeks before
    the last complete one); the last complete week by default."""
    return Choice(
        WEEK_KEY,
        lambda value: is_iso_week(value) or periods.RELATIVE_WEEK.fullmatch(value) is not None,
        default,
        "week in ISO form (like 2026-W40) or latest, latest-1, …",
    )


def _sync_dates() -> None:
    """Point the sidebar's dates at the reviewed weeks, so the share link and the other
    pages show the same span as this review."""
    week = st.session_state.get(f"choice_{WEEK_KEY}", "")
    if is_iso_week(week):
        st.session_state["filter_dates"] = review_ui.review_dates(week, BASELINE_WEEKS)
        st.session_state["filter_grain"] = "week"


def _review_span(last_complete: str):
    """Return the sidebar hook giving the dates a week's review spans (baseline and week)."""

    def span(choices) -> tuple[dt.date, dt.date] | None:
        week = periods.resolve_week(choices.get(WEEK_KEY, ""), last_complete)
        return review_ui.review_dates(week, BASELINE_WEEKS) if week else None

    return span


@boundary.guard("the headline tiles")
def _tiles(review: WeeklyReview) -> None:
    overall = review.headline[review.headline["family"] == "overall"].set_index("metric")
    trend = review.trend
    for column, name in zip(st.columns(len(HEADLINE_METRICS)), HEADLINE_METRICS, strict=True):
        metric = METRICS_BY_NAME[name]
        row = overall.loc[name] if name in overall.index else None
        moved = bool(row is not None and row["previous_moved"])
        judged = bool(row is not None and row["previous_judged"])
        reason = "" if row is None else row["previous_reason"]
        note = "● significant change" if moved else (reason or None) if not judged else None
        rates = trend[(trend["metric"] == name) & trend["rate"].notna()]["rate"].tolist()
        with column:
            st.metric(
                metric.label,
                _percent(row["rate"]) if row is not None else "–",
                delta=points(row["previous_difference"]) if judged else None,
                delta_color=("normal" if metric.higher_is_better else "inverse")
                if moved
                else "off",
                delta_description=note,
                help=f"Against {review.previous_week}; marked only when significant at a "
                f"{review.fdr:.0%} false-discovery rate across this page.",
                border=True,
                chart_data=rates or None,
                chart_type="line",
            )


@boundary.guard("the headline trends")
def _headline(review: WeeklyReview, metric: str) -> None:
    st.subheader("Headline")
    _tiles(review)
    name, tab = sections.open_section(HEADLINE_SECTIONS, metric)
    with tab:
        st.plotly_chart(
            review_ui.figure(figures.trend_figure, review, name),
            key=f"review-trend-{name}",
            theme=None,
        )
        markdown_table(
            headline_screen(
                review_ui.table(tables.headline_table, review, name),
                review.previous_week,
            )
        )


@boundary.guard("the root causes")
def _root_causes(review: WeeklyReview) -> None:
    st.subheader("Root causes")
    glossary.caption(
        f"Each significant change against the previous week ({review.previous_week}; changes "
        "against the trailing baseline are not split here), overall or in a market, split into "
        "what each market, policy "
        "area, label, vendor and moderator contributed (rate effect plus mix effect; the parts "
        "add up to the change), in points with 95% intervals. Contributions are tested within "
        "each change the movers' test selected (Benjamini-Hochberg, level scaled by the share "
        "of changes selected). Segments a larger cause explains sit under it."
    )
    causes = tables.causes_table(review)
    if causes.empty:
        st.info("No headline change this week needed a root cause.", icon=":material/check:")
        return
    report_table(causes)
    top = top_causes(review.causes)
    for (_, row), (_, shown) in zip(top.iterrows(), causes.iterrows(), strict=True):
        children = tables.cause_children_table(review, row["finding"])
        if children.empty:
            continue
        with st.expander(f"What moves with {shown['Root cause']} ({len(children)} segments)"):
            report_table(children)


@boundary.guard("what moved")
def _what_moved(review: WeeklyReview, link_for) -> None:
    st.subheader("What moved")
    moved = tables.movers_table(review, link_for)
    glossary.caption(
        f"Each metric in every segment against {review.previous_week} and the trailing "
        f"baseline: two-proportion test, Benjamini-Hochberg at {review.fdr:.0%} across all "
        f"{review.judged_comparisons:,} comparisons judged on this page, ranked by effect size. "
        "Intervals are plain 95% intervals; significance is after the false-discovery control."
    )
    if moved.empty:
        st.info("No change passed the movers' test this week.", icon=":material/check:")
        return
    st.plotly_chart(
        review_ui.figure(figures.movers_figure, review), key="review-movers", theme=None
    )
    markdown_table(movers_screen(naming.readable_table(moved), review.previous_week))
    glossary.caption(
        "Bold: the change that is significant after the false-discovery control. The report "
        "and the CSV hold every column."
    )
    downloads.csv_button(
        moved,
        "Download what moved (CSV)",
        file_name=f"weekly-review-{review.week}-what-moved.csv",
        key="download-review-moved",
    )


@boundary.guard("the control-chart breaches")
def _breaches(review: WeeklyReview, shown: str, metric: str) -> None:
    st.subheader("Control-chart breaches")
    glossary.caption(
        f"p-chart per market: the weekly rate (blue), centre line from the baseline weeks "
        "(solid) and 3-sigma control limits (dashed), the reviewed week shaded, breaches as red "
        f"diamonds. Points below the minimum sample ({review.min_sample}) or immature for "
        "appeals are never flagged."
    )
    breaches = review_ui.table(tables.breaches_table, review)
    if breaches.empty:
        st.info(
            "No market broke a control-chart rule in the charted weeks.", icon=":material/check:"
        )
    else:
        markdown_table(breaches_screen(breaches))
    charted = review.breaches
    if shown == "week":
        charted = charted[charted["in_reviewed_week"]]
    broken = set(zip(charted["metric"], charted["market_code"], strict=True))
    name, tab = sections.open_section(CONTROL_SECTIONS, metric)
    with tab:
        markets = [
            market
            for market in figures.control_markets(review, name)
            if shown == "all" or (name, market) in broken
        ]
        if not markets:
            when = "in the reviewed week" if shown == "week" else "in the charted weeks"
            glossary.caption(
                f"No market broke a rule {when}; choose another set under Control charts "
                "in the sidebar to see more."
            )
        for start in range(0, len(markets), CHART_COLUMNS):
            row = st.columns(CHART_COLUMNS)
            for column, market in zip(row, markets[start : start + CHART_COLUMNS], strict=False):
                column.plotly_chart(
                    review_ui.figure(figures.control_figure, review, name, market),
                    key=f"review-control-{name}-{market}",
                    theme=None,
                )


@boundary.guard("standing problems")
def _standing(review: WeeklyReview) -> None:
    st.subheader("Standing problems")
    glossary.caption(
        f"Levels over the last {review.standing_weeks} weeks ({review.week} included), even "
        "when they did not move this week: labels against all other labels (overturn rate, "
        "precision), vendors and moderators on the 99.8% accuracy funnel, each market × "
        "policy area against its policy area in all markets. One Benjamini-Hochberg family "
        f"at {review.fdr:.0%} over the {int(review.standing['judged'].sum()):,} units judged. "
        "“Since” is the first week of the unbroken run on the same side."
    )
    table = review_ui.table(tables.standing_table, review)
    if table.empty:
        st.info("No unit is out of line over the window.", icon=":material/check:")
    else:
        report_table(table)


@boundary.guard("the pooled low-volume units")
def _pooled(review: WeeklyReview) -> None:
    st.subheader("Low-volume units (pooled)")
    glossary.caption(
        f"Labels, vendors and moderators below the minimum sample ({review.min_sample}) this "
        f"week, judged on their last {review.pooled_weeks} weeks pooled, against the same "
        "peers as Standing problems (their own false-discovery family)."
    )
    table = review_ui.table(tables.pooled_table, review)
    if table.empty:
        st.info("No pooled low-volume unit is out of line.", icon=":material/check:")
    else:
        report_table(table)
    unpooled = review_ui.table(tables.unpooled_table, review)
    if len(unpooled):
        st.markdown("**Not judgeable even pooled**, and the QA volume that would judge them")
        report_table(unpooled)


@boundary.guard("what was not judged")
def _not_judged(review: WeeklyReview) -> None:
    with st.expander("Not judged: immature cohorts and samples below the minimum"):
        markdown_table(not_judged_screen(review_ui.table(tables.not_judged_table, review)))
        glossary.caption(
            "Too few: below the minimum sample of "
            f"{review.min_sample}. Immature: the appeal window has not closed for enough of "
            "the cohort."
        )
        st.markdown("**Largest changes too thin to judge** (not findings)")
        report_table(review_ui.table(tables.unjudged_changes, review))


@warehouse.guarded
def weekly_review() -> None:
    """Draw the Weekly review page."""
    latest = data.latest_decision()
    fallback = iso_week(dt.date.today() - dt.timedelta(days=7))
    default_week = last_complete_week(latest) if latest else fallback
    week_slot = st.sidebar.container()
    view = filters.sidebar(
        dimensions=("markets", "policy_areas"),
        choices=[
            _week_choice(default_week),
            CHARTS_CHOICE,
            STANDING_CHOICE,
            POOLED_CHOICE,
            HEADLINE_SECTIONS,
            CONTROL_SECTIONS,
            SECTIONS,
        ],
        span=_review_span(default_week),
    )
    week = periods.resolve_week(view.choices[WEEK_KEY], default_week) or default_week
    # A relative week ("latest") is shown, and from now on linked, as the ISO week it names.
    st.session_state[f"choice_{WEEK_KEY}"] = week
    with week_slot:
        st.selectbox(
            "Week",
            review_ui.week_options(latest, default_week, week),
            key=f"choice_{WEEK_KEY}",
            format_func=lambda value: (
                describe_week(value) + (" · last complete" if value == default_week else "")
            ),
            on_change=_sync_dates,
            help="The reviewed ISO week (Monday to Sunday, UTC); it sets this page's dates.",
        )
        glossary.caption(
            "On this page the week sets the dates; the decision dates below follow it."
        )

    st.title(f"Weekly review · {week}")
    review = review_ui.weekly_review(
        week,
        view.filters,
        standing_weeks=int(view.choices[STANDING_CHOICE.key]),
        pooled_weeks=int(view.choices[POOLED_CHOICE.key]),
    )
    selection = describe_filters(view.filters).split(" · ", 1)
    scope = selection[1] if len(selection) > 1 else f"{auth.all_markets_words()} and policy areas"
    glossary.caption(
        f"{describe_week(week)} · {scope} · against {review.previous_week} and the trailing "
        f"baseline {review.baseline_first_week} – {review.previous_week} · decision cohorts, "
        "95% intervals"
    )
    if not review.has_data:
        st.info(
            f"No decisions in {describe_week(week)} for {scope}. Pick another week in the sidebar.",
            icon=":material/event_busy:",
        )
        return

    with st.container(border=True):
        st.markdown("**Summary**")
        st.markdown(review_ui.summary(review))
        link_for = review_ui.link_builder(review_ui.app_root())
        due = actions_ui.due_this_week(week, view.filters)
        scope_note = auth.scope_note()
        st.download_button(
            "Download report",
            data=audit.recorded_report(
                view.filters,
                f"weekly-review-{week}.html",
                lambda: render_html(
                    review,
                    link_for=link_for,
                    scope_note=scope_note,
                    names=naming.all_names(),
                    actions_due=due,
                ),
            ),
            file_name=f"weekly-review-{week}.html",
            mime="text/html",
            icon=":material/download:",
            on_click="ignore",
            help="One self-contained HTML file (charts included) that opens offline.",
            key="review-download",
        )
    _headline(review, view.choices[HEADLINE_SECTIONS.key])
    section, tab = sections.open_section(SECTIONS, view.choices[SECTIONS.key])
    with tab:
        if section == "causes":
            _root_causes(review)
        elif section == "moved":
            _what_moved(review, link_for)
        elif section == "control":
            _breaches(
                review,
                shown=view.choices[CHARTS_CHOICE.key],
                metric=view.choices[CONTROL_SECTIONS.key],
            )
        elif section == "standing":
            _standing(review)
        else:
            _pooled(review)
    _not_judged(review)
    actions_ui.weekly_section(due)


require_app_navigation()
weekly_review()
