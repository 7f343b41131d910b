"""redplan's wall times against the floor of its own dependencies, measured in one run.

For each command, the median wall time of N cold runs (new processes) and its ratio to
`python -c "import typer, pydantic, yaml, rich"` measured in the same run: start-up of the
commands on one example, then `redplan audit` of generated fleets of 1,000 and 10,000 services
(benchmarks/generate_fleet.py) in every output format, and `redplan simulate` of the 1,000-service
fleet under one region's failure and under the worst region or zone. Not a test: run it by hand and read the
ratios. Targets from the issues: validate and audit of one file 1.5x, recommend 2x, audit of
10,000 services 25x, and audit time growing linearly with the number of services.

    python benchmarks/run.py [--runs 15] [--fleet-runs 3] [--no-fleet]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = str(REPO / "examples" / "payments-ledger.yaml")
REDPLAN = [sys.executable, "-m", "redplan"]
BASELINE = "baseline: import typer, pydantic, yaml, rich"
COMMANDS = {
    BASELINE: [sys.executable, "-c", "import typer, pydantic, yaml, rich"],
    "redplan --help": [*REDPLAN, "--help"],
    "redplan validate (1 file)": [*REDPLAN, "validate", EXAMPLE],
    "redplan audit (1 file)": [*REDPLAN, "audit", EXAMPLE],
    "redplan recommend (1 file)": [*REDPLAN, "recommend", EXAMPLE],
    "redplan recommend examples/": [*REDPLAN, "recommend", str(REPO / "examples")],
}
TARGETS = {"redplan validate (1 file)": 1.5, "redplan audit (1 file)": 1.5, "redplan recommend (1 file)": 2.0}
FLEET_TARGET = 25.0
FORMATS = ("text", "json", "sarif", "junit", "github")


def median_seconds(command: list[str], runs: int, environment: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fleet_commands(directory: Path) -> dict[str, list[str]]:
    """Audits of 1,000 and 10,000 generated services; the generator is seeded, so every run audits the same files."""
    commands = {}
    for count in (1000, 10000):
        fleet = directory / f"fleet-{count}"
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate_fleet.py"), str(count), str(fleet)], check=True)
        formats = FORMATS if count == 10000 else ("json",)
        commands.update({f"redplan audit {count:,} services -f {name}": [*REDPLAN, "audit", str(fleet), "-f", name] for name in formats})
        if count == 1000:
            for failure in ("region:aws:us-east-1", "worst-region", "worst-az"):
                commands[f"redplan simulate {count:,} services --fail {failure}"] = [*REDPLAN, "simulate", str(fleet), "--fail", failure]
    return commands


def report(results: dict[str, float], baseline: float) -> None:
    width = max(map(len, results))
    for name, seconds in results.items():
        target = TARGETS.get(name, FLEET_TARGET if "10,000" in name else None)
        verdict = "" if target is None else (f"  target {target:g}x: " + ("met" if seconds / baseline <= target else "MISSED"))
        print(f"{name:<{width}}  {seconds * 1000:7.0f} ms  {seconds / baseline:5.2f}x{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each start-up command")
    parser.add_argument("--fleet-runs", type=int, default=3, help="runs of each fleet audit")
    parser.add_argument("--no-fleet", action="store_true", help="skip the fleet audits")
    arguments = parser.parse_args()
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONDONTWRITEBYTECODE", "CI")}
    environment["COLUMNS"] = "100"
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"median of {arguments.runs} runs each (fleets: {arguments.fleet_runs}), {shutil.which('python3') or sys.executable}, {cpus} CPUs")
    for command in COMMANDS.values():  # warm the file cache and write byte code once
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment, check=False)
    results = {name: median_seconds(command, arguments.runs, environment) for name, command in COMMANDS.items()}
    baseline = results[BASELINE]
    report(results, baseline)
    if arguments.no_fleet:
        return
    with tempfile.TemporaryDirectory() as directory:
        fleets = {name: median_seconds(command, arguments.fleet_runs, environment) for name, command in fleet_commands(Path(directory)).items()}
    fleets[BASELINE + " (again)"] = median_seconds(COMMANDS[BASELINE], arguments.runs, environment)
    baseline = (baseline + fleets[BASELINE + " (again)"]) / 2
    print(f"\nfleet audits against the baseline measured before and after them ({baseline * 1000:.0f} ms):")
    report(fleets, baseline)
    small, large = fleets["redplan audit 1,000 services -f json"], fleets["redplan audit 10,000 services -f json"]
    print(f"10x the services took {large / small:.1f}x the time (linear growth: at most 10x)")


if __name__ == "__main__":
    main()
