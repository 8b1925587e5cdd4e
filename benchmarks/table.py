"""Print page-benchmark results as the README's Markdown table.

    python -m benchmarks.table benchmarks/results/pages-10M-….json [more.json …]

One row per result file and rollup setting: the load average when it started, the one-line
page's cold / warm time, each page's cold / warm time, the summed statement time of each
page (when measured) and the servers' largest peak memory.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PAGES = ("overview", "labels", "appeals", "penalties", "vendors", "weekly_review")


def rows(result: dict) -> list[str]:
    """Return the table rows of one result file, one per rollup setting."""
    lines = []
    baseline = result["baseline"]
    for setting, run in result["runs"].items():
        pages = run["pages"]
        queries = run.get("queries", {})
        cells = []
        for name in PAGES:
            if name not in pages:
                cells.append("–")
                continue
            timing = f"{pages[name]['cold_s']:.1f} / {pages[name]['warm_s']:.1f}"
            if name in queries:
                timing += f" ({queries[name]['query_s']:.2f})"
            cells.append(timing)
        peak = max(page["server_peak_mb"] for page in pages.values())
        lines.append(
            f"| {result['label']} | {setting} | {result['load_before'][0]:.1f} | "
            f"{baseline['cold_s']:.1f} / {baseline['warm_s']:.1f} | "
            + " | ".join(cells)
            + f" | {peak:,} MB |"
        )
    return lines


def main(paths: list[str]) -> int:
    """Print the Markdown table of the given result files; return the exit status."""
    print(
        "| warehouse | rollups | load | one-line page | "
        + " | ".join(PAGES).replace("_", " ")
        + " | server peak |"
    )
    print("|" + "---|" * (len(PAGES) + 5))
    for path in paths:
        for line in rows(json.loads(Path(path).read_text())):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
