"""Hostile text and the checks that it stayed text: shared by the link, name and report tests."""

from __future__ import annotations

import json
import re

from markdown_it import MarkdownIt

# Each class the issue names: script, image with an error handler, a Markdown image (a
# tracking pixel), a Markdown link, a heading after a blank line, and Plotly's own <a href>.
HOSTILE_TEXTS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "![](http://evil.example/px.png)",
    "[text](https://evil.example)",
    "\n\n# Dashboard moved to evil.example",
    '<a href="https://evil.example">click</a>',
)
# Tags a value must never become, in Markdown, in Plotly text or in the HTML report.
INJECTED_TAG = re.compile(r"<\s*(img|script|a|iframe|h[1-6]|svg|object|embed)\b", re.IGNORECASE)

# CommonMark with GFM tables and strikethrough, plus bare-URL links as Streamlit renders them.
_MARKDOWN = MarkdownIt("gfm-like", {"linkify": True}).enable("linkify")

MARKDOWN_ELEMENTS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
)


def markdown_tags(text: str) -> list[str]:
    """Return the injected tags a Markdown text renders to (images, links, headings, scripts)."""
    return [match[1].lower() for match in INJECTED_TAG.finditer(_MARKDOWN.render(text))]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def figure_tags(spec: str | dict) -> list[str]:
    """Return the injected tags in any text of a plotly figure (its JSON or dict)."""
    data = json.loads(spec) if isinstance(spec, str) else spec
    return [match[1].lower() for text in _strings(data) for match in INJECTED_TAG.finditer(text)]


def page_markup(app) -> list[tuple[str, str, list[str]]]:
    """Return (element type, text, tags) for every element of a run AppTest that renders markup."""
    found = []
    for kind in MARKDOWN_ELEMENTS:
        for element in getattr(app, kind):
            tags = markdown_tags(str(element.value))
            if tags:
                found.append((kind, str(element.value), tags))
    for chart in app.get("plotly_chart"):
        tags = figure_tags(chart.proto.spec)
        if tags:
            found.append(("plotly_chart", chart.proto.id, tags))
    return found
