"""Pure chart functions: a tidy DataFrame in, a plotly Figure out (no Streamlit, no SQL)."""

from charts.actions import add_action_marks
from charts.bars import rate_bars, stacked_share_bars
from charts.control import p_chart_figure
from charts.funnel import funnel_plot
from charts.heatmap import confusion_heatmap, rate_heatmap
from charts.trend import rate_trend

__all__ = [
    "add_action_marks",
    "confusion_heatmap",
    "funnel_plot",
    "p_chart_figure",
    "rate_bars",
    "rate_heatmap",
    "rate_trend",
    "stacked_share_bars",
]
