"""Start-up and run time of redplan commands against the floor of their own dependencies.

Prints, for each command, the median wall time of N cold runs (new processes) and its ratio to
`python -c "import typer, pydantic, yaml, rich"` measured in the same run. Not a test: run it by
hand or in CI and read the ratios (targets from the issues: validate 1.5x, recommend 2x).

    python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = str(REPO / "examples" / "payments-ledger.yaml")
REDPLAN = [sys.executable, "-m", "redplan"]
COMMANDS = {
    "baseline: import typer, pydantic, yaml, rich": [sys.executable, "-c", "import typer, pydantic, yaml, rich"],
    "redplan --help": [*REDPLAN, "--help"],
    "redplan validate (1 file)": [*REDPLAN, "validate", EXAMPLE],
    "redplan recommend (1 file)": [*REDPLAN, "recommend", EXAMPLE],
    "redplan recommend examples/": [*REDPLAN, "recommend", str(REPO / "examples")],
}
TARGETS = {"redplan validate (1 file)": 1.5, "redplan recommend (1 file)": 2.0}


def median_seconds(command: list[str], runs: int, environment: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    environment["COLUMNS"] = "100"
    for command in COMMANDS.values():  # warm the file cache and write byte code once
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment, check=False)
    results = {name: median_seconds(command, runs, environment) for name, command in COMMANDS.items()}
    baseline = next(iter(results.values()))
    width = max(map(len, results))
    print(f"median of {runs} runs each, {shutil.which('python3') or sys.executable}")
    for name, seconds in results.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else (f"  target {target}x: " + ("met" if seconds / baseline <= target else "MISSED"))
        print(f"{name:<{width}}  {seconds * 1000:7.0f} ms  {seconds / baseline:5.2f}x{verdict}")


if __name__ == "__main__":
    main()
