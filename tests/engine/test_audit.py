"""The audit gate: exit codes, suppressions, baselines, settings files and order-independent output."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest
from support import REPO

from redplan import parallel
from redplan.engine import audit
from redplan.engine.audit import PARALLEL_FROM_BYTES
from redplan.parallel import can_fork

ASYNC_RPO_ZERO = """version: 1
services:
  - name: {name}
    state: stateful
    objectives: {{rto: 5m, rpo: 0s}}
{extra}    deployment:
      replication: async
      replicas:
        - {{region: aws:us-east-1, az: a, role: primary}}
        - {{region: aws:us-east-1, az: b, role: standby}}
"""


def write(tmp_path, name="db", extra="", file="svc.yaml"):
    path = tmp_path / file
    path.write_text(ASYNC_RPO_ZERO.format(name=name, extra=extra), encoding="utf-8")
    return path


def rp101(report):
    return [finding for service in report["services"] for finding in service["findings"] if finding["rule"] == "RP101"]


def test_exit_codes_follow_fail_on(redplan, tmp_path):
    path = write(tmp_path)
    assert redplan("audit", str(path)).exit_code == 1
    assert redplan("audit", str(path), "--fail-on", "warning").exit_code == 1
    clean = tmp_path / "clean.yaml"
    clean.write_text("version: 1\nservices:\n  - name: web\n    state: stateless\n", encoding="utf-8")
    assert redplan("audit", str(clean)).exit_code == 0
    assert redplan("audit", str(tmp_path / "missing.yaml")).exit_code == 2


def test_text_output_is_clickable(redplan, tmp_path):
    path = write(tmp_path)
    result = redplan("audit", str(path))
    assert f"{path}:7:7: RP101 error RPO target is 0" in result.stdout
    assert "1 service audited, 0 clean: 1 error, 0 warnings, 0 info" in result.stdout


def test_a_suppression_needs_no_more_than_a_reason_and_expires(redplan, tmp_path):
    active = write(tmp_path, extra='    ignore: [{rule: RP101, reason: "moving to sync", expires: 2999-01-01}]\n')
    assert redplan("audit", str(active)).exit_code == 0
    expired = write(tmp_path, extra='    ignore: [{rule: RP101, reason: "moving to sync", expires: 2020-01-01}]\n', file="expired.yaml")
    report = json.loads(redplan("audit", str(expired), "--format", "json").stdout)
    rules = sorted(finding["rule"] for service in report["services"] for finding in service["findings"])
    assert rules == ["RP000", "RP101"]
    assert "expired on 2020-01-01" in report["services"][0]["findings"][0]["message"]


def test_unknown_rule_in_an_ignore_is_reported(redplan, tmp_path):
    path = write(tmp_path, extra='    ignore: [{rule: RP999, reason: "typo"}]\n')
    report = json.loads(redplan("audit", str(path), "--format", "json").stdout)
    assert any("RP999, which is not a rule" in finding["message"] for finding in report["services"][0]["findings"])


def test_baseline_survives_moved_lines_and_catches_new_findings(redplan, tmp_path):
    path = write(tmp_path)
    baseline = tmp_path / "baseline.json"
    assert redplan("audit", str(path), "--write-baseline", str(baseline)).exit_code == 0
    path.write_text("# a comment that moves every line\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    result = redplan("audit", str(path), "--baseline", str(baseline))
    assert result.exit_code == 0 and "1 finding already in" in result.stderr
    other = write(tmp_path, name="other-db", file="other.yaml")
    assert redplan("audit", str(path), str(other), "--baseline", str(baseline)).exit_code == 1


def test_write_baseline_never_overwrites_a_foreign_file(redplan, tmp_path):
    path = write(tmp_path)
    mine = tmp_path / "notes.json"
    mine.write_text('{"mine": true}', encoding="utf-8")
    result = redplan("audit", str(path), "--write-baseline", str(mine))
    assert result.exit_code == 2 and "not overwriting it" in result.stderr
    assert mine.read_text(encoding="utf-8") == '{"mine": true}'


def test_settings_from_pyproject(redplan, tmp_path, monkeypatch):
    path = write(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.redplan]\nformat = "json"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = redplan("audit", str(path))
    assert json.loads(result.stdout)["summary"]["errors"] == 1
    assert redplan("audit", str(path), "--format", "text").stdout.startswith(str(tmp_path / "svc.yaml"))


@pytest.mark.parametrize("content", ['[tool.redplan]\nfail-on = "fatal"\n', "[tool.redplan\n"])
def test_bad_settings_are_input_errors(redplan, tmp_path, monkeypatch, content):
    path = write(tmp_path)
    (tmp_path / "pyproject.toml").write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = redplan("audit", str(path))
    assert result.exit_code == 2 and "pyproject.toml" in result.stderr


def test_json_is_identical_whatever_the_file_order(redplan, tmp_path):
    first, second = write(tmp_path, name="a", file="a.yaml"), write(tmp_path, name="b", file="b.yaml")
    forward = redplan("audit", str(first), str(second), "--format", "json").stdout
    backward = redplan("audit", str(second), str(first), "--format", "json").stdout
    assert forward == backward and len(rp101(json.loads(forward))) == 2


@pytest.fixture(scope="module")
def big_fleet(tmp_path_factory):
    """600 generated services: enough YAML for the audit to start workers."""
    fleet = tmp_path_factory.mktemp("big") / "fleet"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate_fleet.py"), "600", str(fleet)], check=True)
    assert sum(path.stat().st_size for path in fleet.iterdir()) >= PARALLEL_FROM_BYTES
    return fleet


@pytest.fixture
def forks(monkeypatch):
    """How many workers each audit that used workers forked, run by run."""
    runs = []
    real = parallel.Forked.__init__

    def counted(self, work, shares):
        runs.append(len(shares))
        real(self, work, shares)

    monkeypatch.setattr(parallel.Forked, "__init__", counted)
    return runs


needs_fork = pytest.mark.skipif(not can_fork(), reason="workers are forked on Linux only")


@needs_fork
@pytest.mark.parametrize("output", ["json", "text"])
def test_workers_give_the_same_report_as_one_process(redplan, big_fleet, forks, output):
    one = redplan("audit", str(big_fleet), "--format", output, "--jobs", "1")
    assert forks == []
    for jobs in ("2", "3"):
        many = redplan("audit", str(big_fleet), "--format", output, "--jobs", jobs)
        assert (many.exit_code, many.stdout) == (one.exit_code, one.stdout)
    assert forks == [1, 2]
    if output == "json":
        summary = json.loads(one.stdout)["summary"]
        assert summary["services"] == 600 and summary["errors"] > 0 and one.exit_code == 1


@needs_fork
def test_sites_defined_in_another_share_are_seen(redplan, big_fleet, tmp_path, forks):
    """A service in this process's share uses a site that a worker's share defines: the workers' results
    (audited without the other share's sites) are set aside and the report equals one process's."""
    fleet = tmp_path / "fleet"
    shutil.copytree(big_fleet, fleet)
    (fleet / "fleet-0000.yaml").write_text((fleet / "fleet-0000.yaml").read_text() + SITE_USER, encoding="utf-8")
    (fleet / "zz-site.yaml").write_text(SITE, encoding="utf-8")
    one = redplan("audit", str(fleet), "--format", "json", "--jobs", "1")
    two = redplan("audit", str(fleet), "--format", "json", "--jobs", "2")
    assert forks == [1] and one.exit_code == 1
    assert two.stdout == one.stdout and "dc-user" in one.stdout


@needs_fork
def test_input_errors_with_workers_exit_2_like_one_process(redplan, big_fleet, tmp_path, forks):
    fleet = tmp_path / "fleet"
    shutil.copytree(big_fleet, fleet)
    last = sorted(fleet.iterdir())[-1]  # in a worker's share
    last.write_text(last.read_text().replace("name: svc-00599", "name: svc-00000"), encoding="utf-8")
    one = redplan("audit", str(fleet), "--jobs", "1")
    two = redplan("audit", str(fleet), "--jobs", "2")
    assert forks == [1]
    assert one.exit_code == two.exit_code == 2 and one.stderr == two.stderr
    assert "duplicate service name" in two.stderr and "Traceback" not in two.stderr


@needs_fork
def test_suppressions_graph_findings_and_baselines_with_workers_match_one_process(redplan, big_fleet, tmp_path, forks):
    """A worker's share holds a service with an ignore and a depends_on: its findings change after the workers
    have encoded it, and so does every finding a baseline drops; the JSON still equals one process's."""
    fleet = tmp_path / "fleet"
    shutil.copytree(big_fleet, fleet)
    last = sorted(fleet.iterdir())[-1]  # in a worker's share
    last.write_text(last.read_text() + IGNORER, encoding="utf-8")
    one = redplan("audit", str(fleet), "--format", "json", "--jobs", "1")
    two = redplan("audit", str(fleet), "--format", "json", "--jobs", "2")
    assert two.stdout == one.stdout
    ignorer = next(service for service in json.loads(one.stdout)["services"] if service["name"] == "zz-ignorer")
    rules = {finding["rule"] for finding in ignorer["findings"]}
    assert "RP601" in rules and "RP103" not in rules
    baseline = tmp_path / "baseline.json"
    assert redplan("audit", str(fleet), "--jobs", "1", "--write-baseline", str(baseline)).exit_code == 0
    one = redplan("audit", str(fleet), "--format", "json", "--jobs", "1", "--baseline", str(baseline))
    two = redplan("audit", str(fleet), "--format", "json", "--jobs", "2", "--baseline", str(baseline))
    assert (two.exit_code, two.stdout) == (one.exit_code, one.stdout) == (0, one.stdout)
    assert all(service["findings"] == [] for service in json.loads(two.stdout)["services"])
    assert forks == [1, 1]


IGNORER = """  - name: zz-ignorer
    tier: standard
    state: stateful
    regions: [aws:us-east-1, aws:us-west-2]
    data: {kind: document, write_rate: 10/s, write_size: 1KiB, size: 10GiB}
    deployment:
      pattern: backup-restore
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
      backups: {interval: 24h, offsite: aws:us-west-2}
    ignore: [{rule: RP103, reason: nightly backups are enough here}]
    depends_on: [svc-00001]
"""


SITE = """version: 1
sites:
  - name: dc:test-1
    lat: 50.11
    lon: 8.68
    zones: 2
    rtt_ms: {aws:eu-central-1: 2}
services: []
"""
SITE_USER = """  - name: dc-user
    tier: standard
    state: stateful
    regions: [dc:test-1]
    deployment:
      pattern: backup-restore
      replicas:
        - {region: dc:test-1, az: a, role: primary}
      backups: {interval: 24h}
"""


def test_chunks_keep_file_order_and_split_by_size():
    files = [f"f{index:02d}.yaml" for index in range(20)]
    chunks = audit._chunked(files, [1000] * 19 + [10_000], 8)
    assert [file for chunk in chunks for file in chunk] == files
    # 29,000 bytes in 8 chunks of about 3,600: the big last file makes a chunk of its own
    assert [len(chunk) for chunk in chunks] == [4, 3, 4, 3, 4, 1, 1]
    assert chunks[-1] == ["f19.yaml"]
    assert audit._chunked(["only.yaml"], [300_000], 4) == [["only.yaml"]]  # one file cannot be split: no worker


def test_the_most_chunks_a_run_is_cut_into_fit_in_a_pipe_without_blocking():
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("writing the tickets blocked"))
    signal.alarm(10)
    try:
        chunks = audit.Chunks([[f"f{index}.yaml"] for index in range(audit.MAX_CHUNKS)])
    finally:
        signal.alarm(0)
    assert sum(1 for _ in chunks.taken()) == audit.MAX_CHUNKS
    chunks.close()


@needs_fork
def test_chunks_are_taken_once_each_by_whichever_process_asks():
    chunks = audit.Chunks([["a"], ["b"], ["c"], ["d"], ["e"]])
    workers = parallel.Forked(lambda _: [index for index, _ in chunks.taken()], [0])
    mine = [index for index, _ in chunks.taken()]
    theirs = workers.answers()[0] or []
    workers.stop()
    chunks.close()
    assert sorted(mine + theirs) == [0, 1, 2, 3, 4]


class Ticks:
    def __init__(self) -> None:
        self.expected: list[int] = []
        self.count = 0

    def expect(self, total: int) -> None:
        self.expected.append(total)

    def advance(self) -> None:
        self.count += 1


@needs_fork
@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_counts_every_service_once(big_fleet, forks, jobs):
    from redplan.catalog import load_catalog

    ticks = Ticks()
    report = audit.audit_run([str(big_fleet)], load_catalog(), jobs=jobs, details=False, progress=ticks)
    assert ticks.count == report.summary.services == 600 and ticks.expected == [600]
    assert len(forks) == jobs - 1


def audited_with_a_dying_worker(redplan, big_fleet):
    """The report of two processes, the worker patched to die (a hang fails the test)."""
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the audit waited for a dead worker"))
    signal.alarm(60)
    try:
        return redplan("audit", str(big_fleet), "--format", "json", "--jobs", "2")
    finally:
        signal.alarm(0)


@needs_fork
def test_a_worker_that_dies_is_replaced_by_this_process_not_waited_for(redplan, big_fleet, monkeypatch):
    """Killed or out of memory, a worker ends its pipe without answering: the run is audited here."""
    one = redplan("audit", str(big_fleet), "--format", "json", "--jobs", "1")
    monkeypatch.setattr(parallel, "_answer", lambda work, share, sender: os._exit(3))  # what only a forked worker runs
    two = audited_with_a_dying_worker(redplan, big_fleet)
    assert (two.exit_code, two.stdout) == (one.exit_code, one.stdout)


@needs_fork
def test_a_worker_that_dies_holding_a_chunk_sends_the_run_back_to_this_process(redplan, big_fleet, monkeypatch):
    """The chunk it took is nobody else's: the run must not come out without it."""
    one = redplan("audit", str(big_fleet), "--format", "json", "--jobs", "1")

    def dies_after_taking_one(chunks, catalog, details):
        next(chunks.taken())
        os._exit(3)

    monkeypatch.setattr(audit, "_worker_answer", dies_after_taking_one)
    two = audited_with_a_dying_worker(redplan, big_fleet)
    assert (two.exit_code, two.stdout) == (one.exit_code, one.stdout)


@needs_fork
def test_with_workers_the_report_ignores_the_order_files_are_given_in(redplan, big_fleet):
    files = sorted(str(path) for path in big_fleet.iterdir())
    forward = redplan("audit", *files, "--format", "sarif", "--jobs", "2")
    backward = redplan("audit", *reversed(files), "--format", "sarif", "--jobs", "2")
    assert forward.stdout == backward.stdout and forward.exit_code == 1


MULTI_DOCUMENT = """version: 1
services:
  - name: first
    state: stateful
    objectives: {rpo: 0s}
    deployment:
      replication: async
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby}
---
version: 1
services:
  - name: second
    state: stateless
    objectives: {rto: 1h}
    deployment:
      replicas:
        - {region: aws:us-east-1, az: a, role: instance, count: 3}
"""


def test_services_at_the_same_place_in_two_documents_of_a_file_are_both_audited(redplan, tmp_path):
    """Both are services[0] of their document: the audit tells them apart by where they start."""
    path = tmp_path / "two.yaml"
    path.write_text(MULTI_DOCUMENT, encoding="utf-8")
    services = json.loads(redplan("audit", str(path), "--format", "json").stdout)["services"]
    assert [(service["name"], service["line"]) for service in services] == [("first", 3), ("second", 14)]
    assert [finding["rule"] for finding in services[0]["findings"]] == ["RP101"] and services[1]["findings"] == []


GRAPH_USER = """  - name: graph-user
    tier: critical
    state: stateful
    depends_on: [svc-00001, svc-00598]
    ignore: [{rule: RP101, reason: "replication is being moved", expires: 2020-01-01}, {rule: RP999, reason: "typo"}]
    deployment:
      replication: async
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby}
"""


@needs_fork
def test_graph_rules_and_ignores_in_a_workers_share_point_where_one_process_does(redplan, big_fleet, tmp_path, forks):
    """The service-graph rules and the suppressions run here on services the workers sent over: their
    findings must name the same lines and columns (depends_on entries, ignore entries) as one process finds."""
    fleet = tmp_path / "fleet"
    shutil.copytree(big_fleet, fleet)
    last = sorted(fleet.iterdir())[-1]  # in a worker's share
    last.write_text(last.read_text(encoding="utf-8") + GRAPH_USER, encoding="utf-8")
    one = redplan("audit", str(fleet), "--format", "json", "--jobs", "1")
    two = redplan("audit", str(fleet), "--format", "json", "--jobs", "2")
    assert forks == [1] and two.stdout == one.stdout
    user = next(service for service in json.loads(one.stdout)["services"] if service["name"] == "graph-user")
    located = [(finding["rule"], finding["column"]) for finding in user["findings"] if finding["rule"] in ("RP000", "RP601", "RP603")]
    # each depends_on entry (columns 18 and 29 of its line), each ignore entry's rule (columns 15 and 89)
    assert located == [("RP601", 18), ("RP603", 18), ("RP601", 29), ("RP603", 29), ("RP000", 15), ("RP000", 89)]


def test_a_sent_service_rebuilds_its_spec_only_for_the_graph_rules_that_read_it(tmp_path):
    """Workers send services with their specs still pickled: the main process checks names and depends_on,
    runs the graph rules and applies suppressions, and rebuilds the pydantic models of only the services
    in the dependency graph (rebuilding all of them cost a 10,000-service audit a quarter of a second)."""
    import pickle

    from redplan.catalog.loader import load_catalog
    from redplan.spec.loader import joined_fleet, load_fleet

    path = tmp_path / "graph.yaml"
    path.write_text(GRAPH_USER_FLEET, encoding="utf-8")
    catalog = load_catalog()
    loaded = load_fleet([str(path)], catalog, whole=False)
    sent = [pickle.loads(pickle.dumps(service.detached())) for service in loaded.services]
    assert [service.name for service in sent] == ["leaf", "lonely", "user"]
    assert all(isinstance(service._spec, bytes) for service in sent)
    audited = {audit._key(service): audit._per_service(service, loaded, details=False) for service in loaded.services}  # as the worker did
    report = audit.audit_fleet(joined_fleet([str(path)], sent, catalog), details=False, audited=audited)
    rebuilt = {service.name for service in sent if not isinstance(service._spec, bytes)}
    assert rebuilt == {"leaf", "user"}  # "lonely" depends on nothing and nothing depends on it
    user = next(result for result in report.services if result.name == "user")
    assert [finding.rule for finding in user.findings if finding.rule.startswith("RP6")] == ["RP601", "RP603"]
    assert sent[2].spec == loaded.services[2].spec


GRAPH_USER_FLEET = """\
version: 1
services:
  - name: leaf
    tier: standard
    state: stateless
    regions: [aws:us-east-1]
  - name: lonely
    tier: standard
    state: stateless
    regions: [aws:us-east-1]
  - name: user
    tier: mission-critical
    state: stateless
    regions: [aws:us-east-1, aws:us-west-2]
    depends_on: [leaf]
"""


def test_cycle_collection_is_off_during_the_audit_and_back_after(redplan, tmp_path, monkeypatch):
    """Collections cost a big audit a tenth of a second and find nothing; an in-process caller gets its collector back."""
    import gc

    seen = []
    real = audit.audit_run
    monkeypatch.setattr(audit, "audit_run", lambda *args, **kwargs: seen.append(gc.isenabled()) or real(*args, **kwargs))
    assert gc.isenabled()
    redplan("audit", str(write(tmp_path)))
    assert seen == [False] and gc.isenabled()


def test_graph_rules_report_only_on_services_that_depend_on_others(tmp_path):
    """The audit skips the service-graph rules for services without depends_on (audit._finished): every
    fleet-wide rule, over its failing and passing cases, finds nothing in a service that depends on none."""
    import yaml

    from redplan.catalog import load_catalog
    from redplan.rules.base import Subject
    from redplan.spec.loader import load_fleet

    reported = 0
    for rule in audit.FLEET_RULES:
        cases = yaml.safe_load((REPO / "tests" / "rules" / "cases" / f"{rule.code}.yaml").read_text(encoding="utf-8"))["cases"]
        for index, case in enumerate(cases):
            path = tmp_path / f"{rule.code}-{index}.yaml"
            path.write_text(case["spec"], encoding="utf-8")
            fleet = load_fleet([str(path)], load_catalog())
            for loaded in fleet.services:
                problems = list(rule.check(Subject(loaded, None, None, fleet)))
                assert loaded.depends_on or not problems, (rule.code, case["name"], loaded.name)
                reported += len(problems)
    assert reported >= len(audit.FLEET_RULES)
