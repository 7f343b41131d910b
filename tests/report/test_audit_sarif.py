"""SARIF output: valid against the official 2.1.0 schema, every rule declared, repo-relative URIs, line-free fingerprints."""

from __future__ import annotations

import hashlib
import inspect
import io
import json
import random
import re
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from report_samples import AWKWARD, AWKWARD_SERVICE, BROKEN_SPEC, awkward_report

from redplan.engine.results import Report
from redplan.report import formatter_for
from redplan.report.audit_sarif import FINGERPRINT_KEY, SarifFormatter
from redplan.rules.registry import RULES

# The SARIF 2.1.0 schema from an MIT-licensed npm package, vendored (see data/README.md): no PyPI package ships it.
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
# RFC 3986 URI-reference characters: unreserved, reserved and percent-escapes, nothing else.
URI_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")


def sarif(report: Report, root=None) -> dict:
    stream = io.StringIO()
    SarifFormatter(root).write(report, stream)
    return json.loads(stream.getvalue())


def text_of(report: Report, root=None) -> str:
    stream = io.StringIO()
    SarifFormatter(root).write(report, stream)
    return stream.getvalue()


def assert_valid(log: dict) -> None:
    validator = jsonschema.Draft4Validator(SCHEMA)
    errors = sorted(validator.iter_errors(log), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(error.path)}: {error.message}" for error in errors)


def test_the_vendored_schema_is_the_sarif_2_1_0_one():
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    assert SCHEMA["id"] == "https://raw.githubusercontent.com/schemastore/schemastore/master/src/schemas/json/sarif-2.1.0-rtm.5.json"
    assert SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]


def test_the_schema_rejects_what_it_should():
    """The validation has teeth: a region at line 0 and an unknown level fail."""
    log = sarif(awkward_report(), root="/work")
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    log["runs"][0]["results"][1]["level"] = "fatal"
    assert len(list(jsonschema.Draft4Validator(SCHEMA).iter_errors(log))) == 2


def test_awkward_report_is_valid_sarif(root):
    log = sarif(awkward_report())
    assert_valid(log)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    assert len(log["runs"]) == 1
    messages = [result["message"]["text"] for result in log["runs"][0]["results"]]
    assert AWKWARD + "\nFix: use sync: true, or\nrelax the RPO" in messages  # unchanged by the JSON round trip


def test_real_audit_is_valid_sarif(audit_spec):
    report = audit_spec()
    log = sarif(report)
    assert_valid(log)
    [result] = [result for result in log["runs"][0]["results"] if result["ruleId"] == "RP101"]
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "services/db.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 9, "startColumn": 7},
    }
    assert "RPO target is 0" in result["message"]["text"] and "\nFix: replicate synchronously" in result["message"]["text"]
    assert result["properties"] == {"service": "db", "yamlPath": "deployment.replication"}


def test_driver_declares_every_rule_and_rp000():
    log = sarif(awkward_report(), root="/work")
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "redplan" and driver["version"] == "9.9.9" and driver["informationUri"].startswith("https://")
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert [rule["id"] for rule in driver["rules"]] == sorted(rules)
    level = {"error": "error", "warning": "warning", "info": "note"}
    for rule in RULES:
        declared = rules[rule.code]
        assert declared["name"] == rule.name
        assert declared["shortDescription"] == {"text": rule.summary}
        assert declared["defaultConfiguration"] == {"level": level[rule.severity]}
        assert declared["help"]["text"] == inspect.cleandoc(rule.__doc__)
        assert "```yaml" in declared["help"]["markdown"] and "Failing::" not in declared["help"]["markdown"]
        assert declared["fullDescription"]["text"] and "Failing" not in declared["fullDescription"]["text"]
    assert rules["RP000"]["name"] == "ignore-problem" and rules["RP000"]["defaultConfiguration"] == {"level": "warning"}
    assert "expired-ignore" in rules["RP000"]["help"]["text"] and "unknown-rule" in rules["RP000"]["help"]["text"]
    assert rules["RP998"] == {"id": "RP998", "name": "made-up-rule", "shortDescription": {"text": "made-up-rule"},
                              "defaultConfiguration": {"level": "note"}}  # a code outside the registry still resolves


def test_results_point_at_their_rule_with_mapped_levels():
    log = sarif(awkward_report(), root="/work")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    levels = {result["ruleId"]: set() for result in run["results"]}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        levels[result["ruleId"]].add(result["level"])
    assert levels == {"RP000": {"warning"}, "RP101": {"error", "warning", "note"}, "RP998": {"note"}}
    assert len(run["results"]) == 6


def test_uris_are_repo_relative_and_encoded(tmp_path):
    root = tmp_path / "repo"
    log = sarif(awkward_report(), root=root)
    locations = {result["properties"]["service"]: result["locations"][0]["physicalLocation"] for result in log["runs"][0]["results"]}
    assert locations[AWKWARD_SERVICE]["artifactLocation"] == {"uri": "svc%20dir/na%C3%AFve%2C%20file%3A1.yaml", "uriBaseId": "%SRCROOT%"}
    assert locations["b"]["artifactLocation"] == {"uri": "../beside/b.yaml"}  # outside the root: as given, no uriBaseId
    assert locations["abs"]["artifactLocation"] == {"uri": "file:///elsewhere/abs.yaml"}
    for location in locations.values():
        assert URI_CHARACTERS.match(location["artifactLocation"]["uri"])
    assert str(tmp_path) not in text_of(awkward_report(), root=root)


def test_absolute_paths_under_the_root_become_relative(tmp_path):
    report = awkward_report()
    inside = str(tmp_path / "services" / "x.yaml")
    service = replace(report.services[0], file=inside, findings=[replace(report.services[0].findings[0], file=inside)])
    log = sarif(replace(report, services=[service]), root=tmp_path)
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "services/x.yaml", "uriBaseId": "%SRCROOT%"}


def test_region_is_at_least_line_and_column_one():
    log = sarif(awkward_report(), root="/work")
    [rp000] = [result for result in log["runs"][0]["results"] if result["ruleId"] == "RP000"]
    assert rp000["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 1}


def test_output_is_deterministic_and_independent_of_order():
    report = awkward_report()
    first = text_of(report, root="/work")
    assert first == text_of(report, root="/work")
    shuffled_services = list(report.services)
    random.Random(7).shuffle(shuffled_services)
    shuffled = replace(report, services=[replace(service, findings=list(reversed(service.findings))) for service in shuffled_services])
    assert text_of(shuffled, root="/work") == first
    assert first.startswith('{"$schema":') and first.endswith("}\n") and first.count("\n") == 1
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d", first)  # no timestamps


def test_fingerprint_recipe_is_the_documented_one():
    log = sarif(awkward_report(), root="/work")
    for result in log["runs"][0]["results"]:
        if result["properties"]["service"] != AWKWARD_SERVICE:
            continue
        where = result["properties"].get("yamlPath")
        text = "\x1f".join((result["ruleId"], "svc dir/naïve, file:1.yaml", AWKWARD_SERVICE, where))
        assert result["partialFingerprints"] == {FINGERPRINT_KEY: hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]}


def test_fingerprints_differ_between_findings():
    log = sarif(awkward_report(), root="/work")
    fingerprints = [result["partialFingerprints"][FINGERPRINT_KEY] for result in log["runs"][0]["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_fingerprint_survives_moved_lines_and_matches_the_baseline(audit_spec):
    before = audit_spec()
    moved_text = "# a header comment\n\n" + BROKEN_SPEC.replace("      # the standby is asynchronous\n", "      # the standby\n      # is asynchronous\n")
    after = audit_spec(moved_text)

    def rp101(report):
        [result] = [result for result in sarif(report)["runs"][0]["results"] if result["ruleId"] == "RP101"]
        return result

    old, new = rp101(before), rp101(after)
    assert old["locations"][0]["physicalLocation"]["region"]["startLine"] == 9
    assert new["locations"][0]["physicalLocation"]["region"]["startLine"] == 12
    assert new["partialFingerprints"] == old["partialFingerprints"]
    [finding] = [finding for service in before.services for finding in service.findings if finding.rule == "RP101"]
    assert old["partialFingerprints"][FINGERPRINT_KEY] == finding.fingerprint  # the same identity as --baseline


def test_fingerprint_changes_with_the_service():
    report = awkward_report()
    renamed = replace(report, services=[replace(service, findings=[replace(finding, service="other") for finding in service.findings])
                                        for service in report.services])
    old = {result["ruleId"] + result["message"]["text"]: result["partialFingerprints"] for result in sarif(report, "/w")["runs"][0]["results"]}
    new = {result["ruleId"] + result["message"]["text"]: result["partialFingerprints"] for result in sarif(renamed, "/w")["runs"][0]["results"]}
    assert old.keys() == new.keys() and all(old[key] != new[key] for key in old)


def test_formatter_for_audit_sarif():
    assert isinstance(formatter_for("audit", "sarif"), SarifFormatter)
    with pytest.raises(ValueError):
        formatter_for("recommend", "sarif")


@pytest.mark.parametrize("copies", [0, 1, 700], ids=["no findings", "a few", "results over several chunks"])
def test_the_log_is_written_in_pieces_exactly_as_one_dumps(root, copies):
    """Results go out a thousand at a time; the text must equal encoding the whole log at once."""
    base = awkward_report()
    services = [replace(service, name=f"{service.name}-{index}") for index in range(copies) for service in base.services]
    report = replace(base, services=services)
    formatter = SarifFormatter(root)
    whole = json.dumps(formatter.log(report), separators=(",", ":"), sort_keys=True, ensure_ascii=False) + "\n"
    assert text_of(report, root) == whole
    assert len(json.loads(whole)["runs"][0]["results"]) == sum(len(service.findings) for service in services)
