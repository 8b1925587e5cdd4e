"""Pure metric functions over pandas count frames: rates, movers, control, funnels, agreement.

No Streamlit, no SQL: every function takes a DataFrame of counts (from ``data_access``) and
returns a new DataFrame or value. ``metrics/README.md`` maps each dashboard number to the
function that produces it.
"""

from metrics import agreement, control, funnel, movers, rates, registry, sampling, trend
from metrics.registry import METRICS, METRICS_BY_NAME, Metric

__all__ = [
    "METRICS",
    "METRICS_BY_NAME",
    "Metric",
    "agreement",
    "control",
    "funnel",
    "movers",
    "rates",
    "registry",
    "sampling",
    "trend",
]
