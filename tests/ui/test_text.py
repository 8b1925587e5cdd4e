"""Values shown in Markdown or Plotly text render as the text they are, never as markup."""

from __future__ import annotations

import pandas as pd
import pytest

import charts
from charts.text import escaped, html_unescape
from tests.hostile import HOSTILE_TEXTS, figure_tags, markdown_tags
from ui.text import html_text, md


@pytest.mark.parametrize("value", HOSTILE_TEXTS)
def test_the_hostile_texts_would_render_as_markup_unescaped(value):
    # Guards the checks below: each hostile text does produce a tag when not escaped.
    raw = f"Vendor {value} rejected"
    assert markdown_tags(raw) or "<" in value


@pytest.mark.parametrize("value", HOSTILE_TEXTS)
def test_markdown_escaping_renders_the_value_as_plain_text(value):
    rendered = markdown_tags(f"**Vendor {md(value)}** · {md(value)}")
    assert rendered == []


@pytest.mark.parametrize(
    "value",
    [
        "https://evil.example/x",
        "www.evil.example",
        ":red[alarm] :material/warning:",
        "$x^2$",
        "a\u2028# heading",
        "line\r\n\r\n## two",
        "`code` *em* _em_ ~~gone~~",
    ],
)
def test_markdown_escaping_covers_links_directives_and_every_line_break(value):
    escaped_value = md(value)
    assert "\n" not in escaped_value and "\r" not in escaped_value and "\u2028" not in escaped_value
    assert markdown_tags(escaped_value) == []
    # Every punctuation character is escaped, so no Streamlit directive or LaTeX can start.
    for special in ":[$`*_~#":
        assert escaped_value.count(special) == escaped_value.count("\\" + special)


def test_html_escaping_round_trips():
    for value in HOSTILE_TEXTS:
        assert "<" not in html_text(value) and ">" not in html_text(value)
        assert html_unescape(html_text(value)) == value


def test_chart_functions_escape_warehouse_names_but_keep_their_own_markup():
    names = ["<img src=x onerror=alert(1)>", '<a href="https://evil.example">x</a>', "B&Q"]
    frame = pd.DataFrame(
        {
            "vendor_code": names,
            "numerator": [90, 80, 70],
            "denominator": [100, 100, 100],
            "rate": [0.9, 0.8, 0.7],
            "lower": [0.85, 0.75, 0.65],
            "upper": [0.95, 0.85, 0.75],
            "enough_data": [True, True, True],
        }
    )
    fig = charts.rate_bars(frame, category="vendor_code", metric_label="Accuracy")
    assert figure_tags(fig.to_json()) == []
    shown = {str(value) for trace in fig.data for value in (trace.y if trace.y is not None else ())}
    assert {"&lt;img src=x onerror=alert(1)&gt;", "B&amp;Q"} <= shown
    # The chart's own hover markup is still there.
    assert any("<b>" in (trace.hovertemplate or "") for trace in fig.data)


def test_escaped_frames_leave_numbers_and_the_original_alone():
    frame = pd.DataFrame({"name": ["<b>"], "count": [3]}, index=["<i>"])
    copy = escaped(frame)
    assert copy.loc["&lt;i&gt;", "name"] == "&lt;b&gt;"
    assert copy.loc["&lt;i&gt;", "count"] == 3
    assert frame.loc["<i>", "name"] == "<b>"
