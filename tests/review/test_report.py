"""The exported report is one HTML file holding the figures, the summary and the links."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from data_access import queries
from review.__main__ import link_builder, main
from review.narrative import summary_sentences
from review.report import render_html
from tests.conftest import duckdb_read_only_args
from tests.review.conftest import PENALTY_WEEK


class Outline(HTMLParser):
    """Collects what a reader and a browser would fetch or see in an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[str] = []
        self.scripts = 0
        self.external: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self.sections: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "div" and "plotly-graph-div" in (attributes.get("class") or ""):
            self.figures.append(attributes["id"])
        if tag == "script":
            self.scripts += 1
            if attributes.get("src"):
                self.external.append(attributes["src"])
        if tag in ("link", "img", "iframe") and (attributes.get("href") or attributes.get("src")):
            self.external.append(attributes.get("href") or attributes.get("src"))
        if tag == "a":
            self.links.append(attributes.get("href", ""))
        if tag == "section":
            self.sections.append(attributes.get("id", ""))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def report(planted_review) -> tuple[str, Outline]:
    review = planted_review(PENALTY_WEEK)
    document = render_html(review, link_for=link_builder("https://dash.example.org/"))
    outline = Outline()
    outline.feed(document)
    outline.close()
    return document, outline


def test_the_report_holds_its_figures_summary_and_sections(report, planted_review):
    document, outline = report
    assert document.startswith("<!DOCTYPE html>")
    assert outline.sections == [
        "summary",
        "headline",
        "root-causes",
        "what-moved",
        "breaches",
        "standing",
        "pooled",
        "not-judged",
    ]
    trends = [f"figure-trend-{name}" for name in ("accuracy", "over_enforcement_rate")]
    assert set(trends) <= set(outline.figures)
    assert "figure-movers" in outline.figures and len(outline.figures) >= 5
    text = " ".join(" ".join(outline.text).split())
    for sentence in summary_sentences(planted_review(PENALTY_WEEK)):
        assert sentence in text


def test_the_report_needs_no_network(report):
    document, outline = report
    assert outline.external == [], "no script, style or image is fetched"
    # plotly.js is inlined once, in the head, and every figure is drawn by it.
    assert document.count("plotly.js v") == 1 and outline.scripts == len(outline.figures) + 1


def test_what_moved_links_open_the_explaining_page_with_its_filters(report):
    _, outline = report
    penalties = [
        link for link in outline.links if link.startswith("https://dash.example.org/penalties?")
    ]
    assert (
        "https://dash.example.org/penalties?start=2026-08-10&end=2026-11-08&grain=week&market=BR"
        in penalties
    )


def test_the_command_line_writes_the_report_with_progress(planted_url, tmp_path: Path, capsys):
    out = tmp_path / "reports" / "report.html"
    status = main(
        ["weekly-report", "--week", PENALTY_WEEK, "--out", str(out), "--url", planted_url]
    )
    captured = capsys.readouterr()
    assert status == 0
    assert out.read_text(encoding="utf-8").count('class="plotly-graph-div"') >= 5
    assert "100% Judging the changes" in captured.err and "[####" in captured.err
    assert captured.out.startswith(f"Wrote {out} (") and "Moved: " in captured.out


def test_the_command_line_refuses_a_malformed_week(tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["weekly-report", "--week", "2026-W99", "--out", str(tmp_path / "r.html")])
    assert exit_info.value.code == 2
    assert "is not an ISO week like 2026-W40" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_the_command_line_flags_a_week_without_data(planted_url, tmp_path: Path, capsys):
    out = tmp_path / "empty.html"
    status = main(["weekly-report", "--week", "2020-W02", "--out", str(out), "--url", planted_url])
    assert status == 3 and "No decisions in 2020-W02" in out.read_text(encoding="utf-8")
    assert "2020-W02 holds no decisions" in capsys.readouterr().err


def test_the_report_says_how_far_the_data_reaches(report):
    document, _ = report
    # The README's demo ends Sunday 22 Nov 2026; its newest decision is in that day's last hour.
    assert "Data through 22 Nov 2026, 23:" in document


class VisibleText(HTMLParser):
    """Collects the text a reader sees: everything outside scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden:
            self.text.append(data)


def test_the_command_lines_report_names_markets_labels_and_vendors(planted_url, tmp_path: Path):
    out = tmp_path / "named.html"
    status = main(
        ["weekly-report", "--week", PENALTY_WEEK, "--out", str(out), "--url", planted_url]
    )
    assert status == 0
    engine = sa.create_engine(planted_url, connect_args=duckdb_read_only_args())
    try:
        options = queries.filter_options(engine)
    finally:
        engine.dispose()
    codes = [
        *options.markets["market_code"],
        *options.labels["label_code"],
        *options.vendors["vendor_code"],
    ]
    pattern = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, codes)) + r")(?![\w])")
    reader = VisibleText()
    reader.feed(out.read_text(encoding="utf-8"))
    text = " ".join(reader.text)
    assert sorted(set(pattern.findall(text))) == [], "codes where names exist"
    assert "Brazil" in text, "the planted Brazil penalty jump is named"


def test_the_report_lists_the_actions_due_with_links_to_them(report, planted_review):
    measured = pd.DataFrame(
        {
            "Action": ["Retrained <Lumen>"],
            "Result": ["+6.5 pts (2.1 to 10.9)"],
            "Verdict": ["improved"],
            "Open": ["https://dash.example.org/actions?action=1"],
        }
    )
    missing = pd.DataFrame(columns=["Action", "Why", "Open"])
    document = render_html(planted_review(PENALTY_WEEK), actions_due=(measured, missing))
    section = document[document.index('<section id="actions">') :]
    assert '<a href="https://dash.example.org/actions?action=1">Retrained &lt;Lumen&gt;</a>' in (
        section
    )
    assert "+6.5 pts (2.1 to 10.9)" in section and "without data" not in section
    # Without actions the report has no such section.
    assert 'id="actions"' not in report[0]
