"""Benchmark: the taps and page loads Julie's day in admin takes, task by task.

Runs the browser walk tests/e2e/test_julies_day.py (as the Therapist group, on a phone
390x844 and a desktop 1280x800 screen, against a live server) and prints what it counted.
A figure to improve, not a timed test: see tests/e2e/counting.py for what a tap and a page
load are. Needs Chromium (/usr/bin/chromium) and the project's .venv. Usage:

    .venv/bin/python bench/julies_day.py

Exits with pytest's status if the walk fails.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.counting import FIGURES_ENV  # noqa: E402

WALK = "tests/e2e/test_julies_day.py"


def main():
    with tempfile.TemporaryDirectory() as scratch:
        figures = Path(scratch) / "figures.jsonl"
        env = {**os.environ, FIGURES_ENV: str(figures)}
        command = [sys.executable, "-m", "pytest", WALK, "-q", "-p", "no:cacheprovider"]
        result = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603 (our own pytest)
        if result.returncode:
            return result.returncode
        walks = [json.loads(line) for line in figures.read_text(encoding="utf-8").splitlines()]
    for walk in sorted(walks, key=lambda w: w["viewport"]):
        print(f"\n{walk['viewport']}:")
        print(f"  {'task':<48} {'taps':>5} {'page loads':>11}")
        for row in walk["tasks"]:
            print(f"  {row['task']:<48} {row['taps']:>5} {row['page loads']:>11}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
