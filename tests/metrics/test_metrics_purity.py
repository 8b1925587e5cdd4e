"""metrics/ stays pure: no Streamlit, no SQL, no imports from the layers that use it."""

import ast
import subprocess
import sys
from pathlib import Path

import pandas as pd

import metrics
from metrics.rates import with_interval

FORBIDDEN = {"streamlit", "sqlalchemy", "data_access", "ui", "charts", "pages"}
PACKAGE = Path(metrics.__file__).parent


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_metrics_module_imports_streamlit_sql_or_upper_layers():
    for path in PACKAGE.glob("*.py"):
        assert not imported_roots(path) & FORBIDDEN, path.name


def test_importing_metrics_loads_neither_streamlit_nor_sqlalchemy():
    code = "import sys, metrics; print(sorted({'streamlit', 'sqlalchemy'} & set(sys.modules)))"
    root = PACKAGE.parent
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"


def test_every_module_is_exposed_by_the_package():
    for name in ("agreement", "control", "funnel", "movers", "rates", "registry", "sampling"):
        assert hasattr(metrics, name)
    assert hasattr(metrics, "trend")


def test_readme_maps_every_public_function():
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    for module in (
        metrics.rates,
        metrics.movers,
        metrics.control,
        metrics.funnel,
        metrics.agreement,
        metrics.sampling,
        metrics.trend,
    ):
        for name in module.__all__:
            if callable(getattr(module, name)):
                assert f"{name}(" in readme, f"{module.__name__}.{name} missing from README"
    assert "`MIN_SAMPLE`" in readme


def test_functions_return_new_frames():
    frame = pd.DataFrame({"correct": [1], "inspections": [2]})
    result = with_interval(frame, "correct", "inspections")
    assert result is not frame and "rate" not in frame
