"""Profile a page's warm rerun: Python calls and time in the script thread, with cProfile.

    python -m benchmarks.profile_warm [overview|labels|appeals|penalties|vendors|weekly_review]
        [--top 30]

Runs the page twice through AppTest on the configured warehouse (``MODQA_WAREHOUSE_URL``, or
the demo), so every answer is cached, then profiles a third run. AppTest runs the script on
its own thread, where a profiler started here would see nothing; the script runner's
``exec_func_with_error_handling`` is wrapped instead. The call count does not depend on the
machine's load, unlike the time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("overview", "labels", "appeals", "penalties", "vendors", "weekly_review")


def profile_warm_run(page: str) -> pstats.Stats:
    """Return the profile of the third run of ``page`` in one process (the first two fill
    the caches)."""
    profiles: list[cProfile.Profile] = []
    original = script_runner.exec_func_with_error_handling

    def profiled(func, ctx):  # noqa: ANN001, ANN202 - Streamlit's own signature
        profile = cProfile.Profile()
        profile.enable()
        try:
            return original(func, ctx)
        finally:
            profile.disable()
            profiles.append(profile)

    script_runner.exec_func_with_error_handling = profiled
    try:
        for _ in range(3):
            profiles.clear()
            app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=900)
            if page != "overview":
                app.switch_page(f"pages/{page}.py")
            app.run()
            if app.exception:
                raise RuntimeError(f"{page} failed: {app.exception[0].message}")
    finally:
        script_runner.exec_func_with_error_handling = original
    return pstats.Stats(*profiles, stream=io.StringIO())


def main(argv: list[str] | None = None) -> int:
    """Print the warm run's call count, time and the top functions by cumulative time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", choices=PAGES, nargs="?", default="overview")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    stats = profile_warm_run(args.page)
    print(f"{args.page}: {stats.total_calls:,} Python calls, {stats.total_tt:.2f} s")
    stats.stream = sys.stdout
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
