"""The same input gives byte-identical output: across processes, hash seeds and file orders.

Already covered elsewhere, in one process: audit JSON for two files in either order
(tests/engine/test_audit.py), audit SARIF over 600 generated services with workers in either order
(ibid.), recommend JSON of the examples run twice (tests/engine/test_recommend.py), simulate JSON of
the examples in four orders (tests/engine/test_simulate.py), staleness JSON run twice
(tests/test_staleness_command.py).

What is new here: every run is a separate interpreter with its own PYTHONHASHSEED, since string
hashing is randomised per process (set and dict-of-set iteration orders, hence any output built
from them, can change between runs and never within one); and the inputs are the shipped examples
together with a generated fleet (benchmarks/generate_fleet.py: 500 services, enough YAML for the
audit to fork workers on two CPUs), given as files in one order or another, or as directories.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from support import EXAMPLES, REPO

FLEET_SIZE = 500  # 5 files of 100: over the 200 kB at which the audit forks workers
SEEDS = ("0", "4242")  # PYTHONHASHSEED of the two runs of each case


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, list[str]]:
    fleet = tmp_path_factory.mktemp("determinism") / "fleet"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate_fleet.py"), str(FLEET_SIZE), str(fleet)], check=True)
    fleet_files = sorted(str(path) for path in fleet.glob("*.yaml"))
    examples = sorted(str(path) for path in EXAMPLES.glob("*.yaml"))
    return {
        "files": examples + fleet_files,
        "directories": [str(fleet), str(EXAMPLES)],
        "small": examples + fleet_files[:1],  # recommend and simulate: the examples and 100 services
        "examples": examples,
    }


def orders(files: list[str]) -> tuple[list[str], list[str]]:
    """The files as listed, and reversed then rotated (no file keeps its place)."""
    backwards = files[::-1]
    return files, backwards[3:] + backwards[:3]


def cases(inputs: dict[str, list[str]]) -> dict[str, tuple[list[str], list[str]]]:
    """Per case, the arguments of its first and of its second run (same input, other order or form)."""
    files, small = inputs["files"], inputs["small"]
    staleness = ["staleness", "-n", "3", "-w", "1", "-r", "1", "--trials", "20000", "--seed", "7", "-f", "json"]
    regions = ["--region", "aws:us-east-1", "--region", "aws:eu-west-1", "--region", "gcp:asia-east1"]
    return {
        "audit json": tuple(["audit", "-f", "json", *order] for order in orders(files)),
        "audit sarif": (["audit", "-f", "sarif", *files], ["audit", "-f", "sarif", *inputs["directories"]]),
        "recommend json": tuple(["recommend", "-f", "json", *order] for order in orders(small)),
        "simulate json": tuple(["simulate", "--fail", "worst-az", "-f", "json", *order] for order in orders(small)),
        "simulate json, a provider": tuple(["simulate", "--fail", "provider:aws", "--fail", "node:order-store/1", "-f", "json", *order]
                                           for order in orders(inputs["examples"])),
        "staleness json": (staleness, staleness),
        "staleness json, catalog regions": ([*staleness, *regions], [*staleness, *regions]),
    }


def run(args: list[str], hash_seed: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "REDPLAN_CATALOG_DIR"}
    env["PYTHONHASHSEED"] = hash_seed
    return subprocess.run([sys.executable, "-m", "redplan", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def runs(inputs) -> dict[str, list[subprocess.CompletedProcess[str]]]:
    """Every case's two runs, two at a time (the runs dominate this module's time)."""
    jobs = [(name, args, seed) for name, pair in cases(inputs).items() for args, seed in zip(pair, SEEDS)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lambda job: run(job[1], job[2]), jobs))
    outcome: dict[str, list[subprocess.CompletedProcess[str]]] = {}
    for (name, _, _), result in zip(jobs, done):
        outcome.setdefault(name, []).append(result)
    return outcome


def example_services() -> int:
    documents = (document for path in EXAMPLES.glob("*.yaml") for document in yaml.safe_load_all(path.read_text(encoding="utf-8")))
    return sum(len(document.get("services", [])) for document in documents if document)


def expected_services(name: str) -> int | None:
    """How many services a case reports: the whole input, whichever order it came in."""
    return {"audit json": FLEET_SIZE + example_services(), "recommend json": 100 + example_services(),
            "simulate json": 100 + example_services(), "simulate json, a provider": example_services()}.get(name)


@pytest.mark.parametrize("name", ["audit json", "audit sarif", "recommend json", "simulate json", "simulate json, a provider",
                                  "staleness json", "staleness json, catalog regions"])
def test_byte_identical_across_hash_seeds_and_file_orders(runs, name):
    first, second = runs[name]
    assert first.returncode in (0, 1), first.stderr
    assert (second.returncode, second.stderr) == (first.returncode, first.stderr)
    assert first.stdout.encode() == second.stdout.encode()
    report = json.loads(first.stdout)
    if expected_services(name) is not None:
        assert len(report["services"]) == expected_services(name)
    if name == "audit sarif":
        results = report["runs"][0]["results"]
        assert results and len({result["ruleId"] for result in results}) > 1

