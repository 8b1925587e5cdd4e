"""Text stays text on the page: values from a link or the warehouse, escaped for Markdown.

Streamlit renders warnings, captions, titles and info boxes as Markdown, so a value such as
``![](http://host/px.png)`` would load an image from any host in the viewer's browser, and a
newline followed by ``# …`` would become a heading in the dashboard's own voice. Every such
value goes through ``md`` before it is put into a message; Plotly text and the HTML report
use ``html_text`` (defined in ``charts.text`` because charts may not import ``ui``).
"""

from __future__ import annotations

import re

from charts.text import html_text

__all__ = ["html_text", "md"]

# CommonMark's backslash-escapable punctuation, plus Streamlit's own syntax: ``:`` starts
# ``:material/icon:`` and ``:red[text]``, ``$`` starts LaTeX.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'=])")
# Line and paragraph breaks of every kind, and other control characters: a value is one line.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def md(value: object) -> str:
    """Return ``value`` as Markdown that renders exactly as its text, on a single line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _BREAKS.sub(" ", str(value)))
