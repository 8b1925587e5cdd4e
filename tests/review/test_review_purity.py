"""review/ runs without a server: no Streamlit, and no page or Streamlit glue imported."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import review

PACKAGE = Path(review.__file__).parent


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_review_modules_import_no_streamlit_and_no_pages():
    for path in PACKAGE.glob("*.py"):
        names = imported(path)
        roots = {name.split(".")[0] for name in names}
        assert not roots & {"streamlit", "pages"}, path.name
        # Only the command line builds links, with the dashboard's own pure link module.
        allowed_ui = {"ui.links"} if path.name == "__main__.py" else set()
        assert {name for name in names if name.split(".")[0] == "ui"} <= allowed_ui, path.name


def test_the_command_line_loads_without_streamlit():
    code = "import sys, review.__main__; print('streamlit' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PACKAGE.parent, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
