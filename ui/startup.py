"""Server start: load what the pages need before the first visitor arrives.

A fresh Streamlit server imports a page's libraries (pandas, Plotly, statsmodels, SciPy,
SQLAlchemy) during the first visitor's first run, and Plotly loads the validator of each
chart property the first time a figure sets it. That is more than a second on the first
page, paid by whoever opens a shared link first. ``app.py`` serves the dashboard through
``st.App`` with :func:`preloaded` as its lifespan, so the server does it while starting,
before it accepts a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import inspect
import logging
import pkgutil
import threading
import time
from collections.abc import AsyncIterator

LOG = logging.getLogger(__name__)

# The dashboard's own packages; importing them pulls in every library a page uses.
PACKAGES = ("data_access", "metrics", "charts", "review", "appdb", "ui")
# Command-line entry points, and the ClickHouse driver that only a ClickHouse URL needs.
SKIPPED = ("__main__", "data_access.clickhouse")


def import_dashboard_modules() -> list[str]:
    """Import every module of the dashboard's packages; return the names imported."""
    imported = []
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if module.name.endswith(SKIPPED[0]) or module.name in SKIPPED[1:]:
                continue
            importlib.import_module(module.name)
            imported.append(module.name)
    return imported


def draw_warm_up_figure() -> int:
    """Build and serialise a figure of each trace kind the pages draw; return the JSON size.

    Plotly imports a property's validator the first time any figure sets that property, so
    building one small figure of each kind moves that cost from the first page to here.
    """
    import plotly.graph_objects as go
    import plotly.io as pio

    from charts.palette import base_layout, percent_axis

    figure = go.Figure(
        [
            go.Scatter(x=[0, 1], y=[0.5, 0.6], mode="lines+markers", customdata=[[0], [1]]),
            go.Bar(x=[0], y=[1], text=["a"]),
            go.Heatmap(z=[[0.1, 0.2]], x=["a", "b"], y=["c"], colorscale="RdBu"),
            go.Funnel(x=[3, 2, 1], y=["a", "b", "c"]),
        ]
    )
    base_layout(figure, title="warm-up")
    percent_axis(figure)
    figure.add_vrect(x0=0, x1=1, opacity=0.1)
    figure.add_annotation(x=0, y=0, text="warm-up")
    return len(pio.to_json(figure, validate=False))


# Libraries a page's first run imported although the dashboard's modules were loaded (a
# fresh server's first Labels run imported 95 modules, 0.28 s): the warehouse and app
# database drivers, the pandas Styler's templates, the Arrow conversion Streamlit sends
# frames with, and its icon names.
FIRST_RUN_MODULES = (
    "duckdb_engine",
    "sqlalchemy.dialects.postgresql",
    "sqlalchemy.dialects.sqlite",
    "sqlite3",
    "jinja2",
    "pandas.io.formats.style",
    "pyarrow.pandas_compat",
    "streamlit.material_icon_names",
)


def import_first_run_modules() -> list[str]:
    """Import what a page's first run would, and load narwhals' pandas backend (Plotly
    reads frames through it); return the modules imported."""
    imported = []
    for name in FIRST_RUN_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional driver: its pages say so when used
            continue
        imported.append(name)
    import narwhals as nw
    import pandas as pd

    nw.from_native(pd.DataFrame({"warm": [1]}), eager_only=True)
    return imported


def fill_module_file_cache() -> None:
    """Fill ``inspect``'s table of loaded modules by file, as the first element does.

    Streamlit's first element in a process calls ``inspect.stack()`` (to warn when run
    outside ``streamlit run``), which resolves the real path of every loaded module's file:
    0.31 s of the first visitor's Overview at 100M in a profile, about 3,000 paths. The table
    is kept, so later calls only look at modules loaded since.
    """
    inspect.stack()


def freeze_loaded_objects() -> int:
    """Move every object alive now out of the garbage collector's reach; return how many.

    After the preload the heap holds about 240,000 tracked objects (modules, classes, Plotly's
    validators) that live as long as the server. Every full collection walked all of them:
    0.12-0.17 s idle, about 0.5 s under load. ``gc.freeze`` keeps later collections to what
    the pages create.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def preload() -> None:
    """Import the dashboard's modules, warm Plotly and freeze the loaded heap, logging how long
    it took."""
    started = time.perf_counter()
    modules = import_dashboard_modules() + import_first_run_modules()
    draw_warm_up_figure()
    fill_module_file_cache()
    frozen = freeze_loaded_objects()
    LOG.info(
        "Preloaded %d modules in %.1f s; %d objects frozen",
        len(modules),
        time.perf_counter() - started,
        frozen,
    )


def open_warehouse() -> bool:
    """Create the read-only engine and open one pooled connection; return True when done.

    A fresh server's first page otherwise creates the engine and opens the warehouse (for
    DuckDB: the file and its catalogue) inside its first query: 0.14 s of every cold page
    at 100M decisions on a slow machine. Nothing is read. When no warehouse is configured and
    the demo is not built yet, or the warehouse does not answer, the first page does it as
    before and says what went wrong.
    """
    from data_access.config import DEMO_WAREHOUSE_PATH
    from ui import warehouse

    try:
        settings = warehouse.settings()
        if settings.is_embedded_demo and not DEMO_WAREHOUSE_PATH.exists():
            return False
        with warehouse.engine().connect():
            return True
    except Exception:  # noqa: BLE001 - the first page reports the warehouse's problem
        LOG.warning("Could not open the warehouse while starting; the first page will retry")
        return False


@contextlib.asynccontextmanager
async def preloaded(_app: object) -> AsyncIterator[None]:
    """Lifespan for ``st.App``: preload before serving; a failure only loses the head start.

    The warehouse is opened on a thread of its own, not awaited: a slow or unreachable one
    must not hold the server's start (a page waiting for the engine waits on its cache lock).
    """
    try:
        await asyncio.to_thread(preload)
    except Exception:  # noqa: BLE001 - a page reports its own import error on its first run
        LOG.exception("Preloading the dashboard's modules failed; pages will load them")
    threading.Thread(target=open_warehouse, name="open-warehouse", daemon=True).start()
    yield
