"""The weekly review as one self-contained HTML file: opens offline, charts included.

plotly.js is inlined once in the head (about 4.6 MB) and every figure is a ``div`` drawn by
it, so the file needs no network: a stakeholder can open it from a mail attachment. Every
text from the warehouse is HTML-escaped; links are the only markup built from values.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from charts.names import humanize, rename_figure, rename_table
from metrics.registry import METRICS_BY_NAME
from review.causes import top_causes
from review.figures import control_figure, control_markets, movers_figure, trend_figure
from review.narrative import summary_sentences
from review.tables import (
    LinkFor,
    breaches_table,
    cause_children_table,
    cause_name,
    causes_table,
    headline_table,
    movers_table,
    not_judged_table,
    pooled_table,
    standing_table,
    unjudged_changes,
    unpooled_table,
)
from review.weekly import CONTROL_METRICS, HEADLINE_METRICS, WeeklyReview
from review.weeks import describe_week

FIGURE_CLASS = "plotly-graph-div"
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}

STYLE = """
body { font-family: "Source Sans Pro", Inter, system-ui, sans-serif; color: #262730;
       margin: 0; background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 2rem; margin: 0 0 4px; }
h2 { font-size: 1.4rem; margin: 32px 0 8px; border-bottom: 1px solid #e6e6e6; padding-bottom: 4px; }
h3 { font-size: 1.1rem; margin: 20px 0 6px; }
p.caption, footer { color: #6b7b8c; font-size: 0.9rem; }
.summary { border: 1px solid #d6d6d6; border-radius: 8px; padding: 8px 20px; background: #fafafa; }
.summary li { margin: 6px 0; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 8px 0 16px; width: 100%; }
th, td { border-bottom: 1px solid #e6e6e6; padding: 4px 8px; text-align: left;
         vertical-align: top; }
th { background: #f4f4f6; font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px 16px; }
.figure { min-width: 0; }
"""


def _table(
    frame: pd.DataFrame,
    *,
    link_column: str | None = None,
    link_text: str = "Explained on",
    empty: str = "None.",
) -> str:
    """Return a frame as an HTML table, every cell escaped; the ``link_text`` column's cells
    link to the addresses in ``link_column`` (which is not shown)."""
    if frame.empty:
        return f"<p>{html.escape(empty)}</p>"
    columns = [column for column in frame.columns if column != link_column]
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for column in columns:
            text = html.escape(str(row[column]))
            if link_column and column == link_text and row.get(link_column):
                href = html.escape(str(row[link_column]), quote=True)
                text = f'<a href="{href}">{text}</a>'
            cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure(fig: go.Figure, name: str) -> str:
    """Return a figure's div and drawing script, relying on the plotly.js in the head."""
    div = fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=f"figure-{name}", config=PLOTLY_CONFIG
    )
    return f'<div class="figure">{div}</div>'


def _grid(figures: Iterable[str]) -> str:
    return f'<div class="grid">{"".join(figures)}</div>'


def report_figures(review: WeeklyReview) -> dict[str, go.Figure]:
    """Return the report's figures by name: headline trends, what moved, breaching p-charts."""
    figures = {f"trend-{name}": trend_figure(review, name) for name in HEADLINE_METRICS}
    figures["movers"] = movers_figure(review)
    breaches = review.breaches
    for metric in CONTROL_METRICS:
        broke = (
            set(breaches[breaches["metric"] == metric]["market_code"]) if len(breaches) else set()
        )
        for market in control_markets(review, metric):
            if market in broke:
                figures[f"control-{metric}-{market}"] = control_figure(review, metric, market)
    return figures


def render_html(
    review: WeeklyReview,
    *,
    link_for: LinkFor | None = None,
    source: str | None = None,
    generated_at: dt.datetime | None = None,
    scope_note: str | None = None,
    names: Mapping[str, str] | None = None,
    actions_due: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> str:
    """Return the review as a self-contained HTML document (plotly.js inlined once).

    ``link_for`` turns a finding's ``LinkTarget`` into a dashboard address; without it the
    report names the page but links nowhere. ``source`` describes the warehouse (no
    password) for the footer. ``scope_note`` says whose access the data was limited to.
    ``names`` (code -> name) puts names where people read: sentences, tables, legends and
    category axes; links and hover text keep the codes. ``actions_due`` is the (measured,
    without data) pair of actions whose evaluation window ended this week, with "Open" links.
    """
    names = names or {}

    def table(frame: pd.DataFrame, **options) -> str:
        return _table(rename_table(frame, names, skip=["Link", "Open"]), **options)

    def figure(fig: go.Figure, name: str) -> str:
        return _figure(rename_figure(fig, names), name)

    generated_at = generated_at or dt.datetime.now(dt.UTC)
    title = f"Weekly review {review.week}"
    summary = "".join(
        f"<li>{html.escape(humanize(sentence, names))}</li>"
        for sentence in summary_sentences(review)
    )
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="caption">{html.escape(describe_week(review.week))} · decision cohorts, '
        f"95% intervals · changes judged by a two-proportion test at a {review.fdr:.0%} "
        "false-discovery rate across every comparison in this report</p>",
        (
            f'<p class="caption">Data through {review.latest_data:%d %b %Y, %H:%M} UTC</p>'
            if review.latest_data is not None
            else '<p class="caption">The warehouse holds no decisions yet.</p>'
        ),
        *(
            [f'<p class="scope" id="scope"><strong>{html.escape(scope_note)}</strong></p>']
            if scope_note
            else []
        ),
        f'<section id="summary"><h2>Summary</h2><ul class="summary">{summary}</ul></section>',
    ]
    if review.has_data:
        figures = report_figures(review)
        headline = [
            f"<h3>{html.escape(METRICS_BY_NAME[name].label)}</h3>"
            + table(headline_table(review, name))
            for name in HEADLINE_METRICS
        ]
        trends = _grid(
            figure(figures[f"trend-{name}"], f"trend-{name}") for name in HEADLINE_METRICS
        )
        parts.append(
            f'<section id="headline"><h2>Headline</h2>{trends}{"".join(headline)}</section>'
        )
        causes = [
            table(causes_table(review), empty="No headline change this week needed a root cause.")
        ]
        for _, row in top_causes(review.causes).iterrows():
            children = cause_children_table(review, row["finding"])
            if len(children):
                causes.append(
                    "<details><summary>What moves with "
                    f"{html.escape(humanize(cause_name(row), names))} "
                    f"({len(children)} segments)</summary>{table(children)}</details>"
                )
        parts.append(
            '<section id="root-causes"><h2>Root causes</h2><p class="caption">Each significant '
            "headline change split into segment contributions (rate plus mix effect, adding up "
            "to the change) in points with 95% intervals; segments a larger cause explains are "
            "listed under it.</p>" + "".join(causes) + "</section>"
        )
        moved = movers_table(review, link_for)
        parts.append(
            '<section id="what-moved"><h2>What moved</h2>'
            + (figure(figures["movers"], "movers") if len(moved) else "")
            + table(moved, link_column="Link", empty="No change passed the movers' test.")
            + "</section>"
        )
        controls = [
            figure(fig, name) for name, fig in figures.items() if name.startswith("control-")
        ]
        parts.append(
            '<section id="breaches"><h2>Control-chart breaches</h2>'
            '<p class="caption">p-charts per market over the baseline weeks and the reviewed '
            "week; centre and limits from the baseline. Only markets with a breach are drawn."
            "</p>"
            + table(breaches_table(review), empty="No market broke a control-chart rule.")
            + _grid(controls)
            + "</section>"
        )
        standing_caption = (
            f'<p class="caption">Levels over the last {review.standing_weeks} weeks, even when '
            "they did not move: labels against all other labels, vendors and moderators on the "
            "99.8% accuracy funnel, each market × policy area against its policy area in all "
            "markets; one Benjamini-Hochberg family.</p>"
        )
        parts.append(
            '<section id="standing"><h2>Standing problems</h2>'
            + standing_caption
            + table(standing_table(review), empty="No unit is out of line over the window.")
            + "</section>"
        )
        parts.append(
            '<section id="pooled"><h2>Low-volume units (pooled)</h2>'
            f'<p class="caption">Units below the minimum sample this week, judged on their '
            f"last {review.pooled_weeks} weeks pooled.</p>"
            + table(pooled_table(review), empty="No pooled low-volume unit is out of line.")
            + "<h3>Not judgeable even pooled</h3>"
            + table(unpooled_table(review), empty="None.")
            + "</section>"
        )
        parts.append(
            '<section id="not-judged"><h2>Not judged</h2>'
            + table(not_judged_table(review))
            + "<h3>Largest changes too thin to judge</h3>"
            + table(unjudged_changes(review), empty="None.")
            + "</section>"
        )
    if actions_due is not None:
        measured, missing = actions_due
        parts.append(
            '<section id="actions"><h2>Actions due this week</h2>'
            '<p class="caption">Recorded actions whose evaluation window ended this week, '
            "measured on the metric each chose when it was recorded.</p>"
            + table(measured, link_column="Open", link_text="Action", empty="None measured.")
            + (
                "<h3>Due, but without data to measure</h3>"
                + table(missing, link_column="Open", link_text="Action")
                if len(missing)
                else ""
            )
            + "</section>"
        )
    footer = f"Generated {generated_at:%Y-%m-%d %H:%M} UTC" + (f" from {source}" if source else "")
    parts.append(f"<footer>{html.escape(footer)}.</footer>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script>'
        f"</head><body><main>{''.join(parts)}</main></body></html>\n"
    )
