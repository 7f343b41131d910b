"""SARIF 2.1.0 output of `redplan audit`, for GitHub code scanning and other SARIF viewers.

One log, one run. `tool.driver.rules` lists every rule of the registry (RP000, the
ignore problems, included), sorted by code; each result points at its rule by
`ruleId` and `ruleIndex`. Levels: error -> error, warning -> warning, info -> note.

Locations: `artifactLocation.uri` is the file's POSIX path relative to the
working directory (the repository root in CI) with `uriBaseId` "%SRCROOT%";
a file outside the working directory keeps the path as given, without
`uriBaseId` (an absolute one as a file:// URI). Paths are percent-encoded.
`region` has the 1-based startLine and startColumn (Unicode code points) of the
YAML that causes the finding.

Fingerprint: `partialFingerprints["redplanFindingHash/v1"]` is the first 16 hex
digits of the SHA-256 of these four UTF-8 strings joined by U+001F:
the rule code, the file's path as in the location above (before
percent-encoding), the service name, and the finding's dotted YAML path inside
the service (e.g. `deployment.replication`; the message when a finding has no
path). No line or column, so it survives edits that move the YAML; no
figures, so it survives a changed number. For a file given relative to the
working directory it equals the baseline fingerprint (`engine.audit.fingerprint`).

Deterministic: keys sorted, compact (one line), results sorted by location, no timestamps
or absolute paths of the machine.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TextIO
from urllib.parse import quote

from redplan.engine.results import Finding, Report
from redplan.report.json_format import write_spliced

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/redplan/"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "redplanFindingHash/v1"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
RESULTS_PER_CHUNK = 1000
"""Results encoded per call: big enough for the C encoder to run on its own, small enough never to build one huge string."""


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    severity: str
    summary: str
    doc: str


def known_rules() -> list[RuleInfo]:
    """Every rule a finding can carry, sorted by code (RP000, the ignore problems, included)."""
    from redplan.rules.registry import RULES

    return sorted((_info(rule) for rule in RULES), key=lambda rule: rule.code)


def rules_for(report: Report) -> list[RuleInfo]:
    """`known_rules()` plus a bare entry for any other code a finding of the report carries."""
    rules = known_rules()
    codes = {rule.code for rule in rules}
    for finding in sorted(_findings(report), key=lambda finding: (finding.rule, finding.name)):
        if finding.rule not in codes:
            codes.add(finding.rule)
            rules.append(RuleInfo(finding.rule, finding.name, finding.severity, finding.name, ""))
    return sorted(rules, key=lambda rule: rule.code)


def display_path(file: str, root: str | Path | None = None) -> tuple[str, bool]:
    """The file's POSIX path relative to root (the working directory) and True; or, outside it, as given and False."""
    return display_paths(root)(file)


def display_paths(root: str | Path | None = None) -> Callable[[str], tuple[str, bool]]:
    """`display_path` for the files of one report: the working directory is read once, not per finding."""
    base = os.path.abspath(root if root is not None else os.getcwd())
    return lambda file: _display_path(file, base)


@functools.lru_cache(maxsize=4096)
def _display_path(file: str, base: str) -> tuple[str, bool]:
    """Per file and base, not per finding: a fleet has thousands of findings in a few hundred files."""
    absolute = os.path.normpath(os.path.join(base, file))
    try:
        relative = os.path.relpath(absolute, base)
    except ValueError:  # another drive on Windows
        relative = os.pardir
    if relative != os.pardir and not relative.startswith(os.pardir + os.sep) and not os.path.isabs(relative):
        return PurePosixPath(*Path(relative).parts).as_posix(), True
    return Path(file).as_posix(), False


def fingerprint(rule: str, path: str, service: str, where: str) -> str:
    """See the module docstring: rule, file path, service, YAML path; never a line number."""
    text = "\x1f".join((rule, path, service, where))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class SarifFormatter:
    def __init__(self, root: str | Path | None = None) -> None:
        self.root = root  # what URIs are relative to; None: the working directory when writing

    def write(self, report: Report, stream: TextIO) -> None:
        log = self.log(report)
        run = log["runs"][0]
        results, run["results"] = run["results"], []
        chunks = (_encode(results[start:start + RESULTS_PER_CHUNK])[1:-1] for start in range(0, len(results), RESULTS_PER_CHUNK))
        write_spliced(stream, _encode(log), "results", chunks)

    def log(self, report: Report) -> dict:
        """The SARIF log as one dict (tests validate it against the schema)."""
        rules = rules_for(report)
        index = {rule.code: position for position, rule in enumerate(rules)}
        where = display_paths(self.root)
        results = [self._result(finding, index, where(finding.file)) for finding in _findings(report)]
        results.sort(key=_result_order)
        driver = {"name": report.tool.name or "redplan", "version": report.tool.version, "informationUri": INFORMATION_URI,
                  "rules": [_descriptor(rule) for rule in rules]}
        run = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}
        return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}

    def _result(self, finding: Finding, index: dict[str, int], place: tuple[str, bool]) -> dict:
        path, relative = place
        artifact = {"uri": _uri(path, relative)}
        if relative:
            artifact["uriBaseId"] = SRCROOT
        text = finding.message + (f"\nFix: {finding.hint}" if finding.hint else "")
        properties = {"service": finding.service}
        if finding.path:
            properties["yamlPath"] = finding.path
        return {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": LEVEL.get(finding.severity, "warning"),
            "message": {"text": text},
            "locations": [{"physicalLocation": {
                "artifactLocation": artifact,
                "region": {"startLine": max(1, finding.line), "startColumn": max(1, finding.column)},
            }}],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding.rule, path, finding.service, finding.path or finding.message)},
            "properties": properties,
        }


def _findings(report: Report) -> list[Finding]:
    return [finding for service in report.services for finding in service.findings]


def _result_order(result: dict) -> tuple:
    location = result["locations"][0]["physicalLocation"]
    return (location["artifactLocation"]["uri"], location["region"]["startLine"], location["region"]["startColumn"],
            result["ruleId"], result["properties"]["service"], result["message"]["text"])


@functools.lru_cache(maxsize=4096)
def _uri(path: str, relative: bool) -> str:
    if not relative and PurePosixPath(path).is_absolute():
        return "file://" + quote(path, safe="/")
    if not relative and len(path) > 1 and path[1] == ":":  # C:/… given on Windows
        return "file:///" + quote(path, safe="/")
    return quote(path, safe="/")


def _info(rule) -> RuleInfo:
    return RuleInfo(rule.code, rule.name, rule.severity, rule.summary, inspect.cleandoc(rule.__doc__ or ""))


def _descriptor(rule: RuleInfo) -> dict:
    descriptor = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "defaultConfiguration": {"level": LEVEL.get(rule.severity, "warning")},
    }
    if rule.doc:
        descriptor["fullDescription"] = {"text": _prose(rule) or rule.summary}
        descriptor["help"] = {"text": rule.doc, "markdown": _markdown(rule.doc)}
    return descriptor


def _prose(rule: RuleInfo) -> str:
    """The docstring without its title line and its examples: what the rule means and why."""
    lines = rule.doc.splitlines()
    if lines and lines[0].startswith(rule.code):
        lines = lines[1:]
    kept: list[str] = []
    for line in lines:
        if line.rstrip().endswith("::"):
            break
        kept.append(line)
    paragraphs = "\n".join(kept).strip().split("\n\n")
    return "\n\n".join(" ".join(part.split()) for part in paragraphs if part.strip())


def _markdown(doc: str) -> str:
    """The docstring with its reStructuredText literal blocks (`Failing::`) as fenced YAML."""
    lines = doc.splitlines()
    out: list[str] = []
    position = 0
    while position < len(lines):
        line = lines[position]
        position += 1
        if not line.rstrip().endswith("::"):
            out.append(line)
            continue
        out.append(line.rstrip()[:-1])
        block: list[str] = []
        while position < len(lines) and (not lines[position].strip() or lines[position][:1] in (" ", "\t")):
            block.append(lines[position])
            position += 1
        code = textwrap.dedent("\n".join(block)).strip("\n")
        out += ["", "```yaml", *code.splitlines(), "```", ""]
    return "\n".join(out).strip() + "\n"


def _encode(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
