"""The JSON formatter: one `json.dumps` of the report's fields, with worker-encoded assessments spliced in."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from report_samples import AWKWARD, awkward_report

from redplan.engine.results import EncodedJson, to_json
from redplan.report.json_format import JsonFormatter


def written(report) -> str:
    stream = io.StringIO()
    JsonFormatter().write(report, stream)
    return stream.getvalue()


def plain(report) -> str:
    """What the contract says: every dataclass as a dict of its fields, keys sorted, compact, UTF-8."""
    return json.dumps(dataclasses.asdict(report), separators=(",", ":"), sort_keys=True, ensure_ascii=False) + "\n"


def test_a_real_audit_is_written_as_its_fields(audit_spec):
    report = audit_spec()
    assert report.services[0].assessment is not None
    assert written(report) == plain(report)
    assert json.loads(written(report))["services"][0]["findings"][0]["rule"] == "RP101"


def test_encoded_assessments_go_in_as_they_are(audit_spec):
    """Workers send assessments already encoded; the output is byte for byte the one of the objects."""
    report = audit_spec()
    encoded = [dataclasses.replace(service, assessment=EncodedJson(to_json(service.assessment))) if service.assessment else service
               for service in report.services]
    assert any(isinstance(service.assessment, EncodedJson) for service in encoded)
    assert written(dataclasses.replace(report, services=encoded)) == written(report) == plain(report)


def test_a_name_that_spells_the_assessment_key_is_not_spliced_into():
    """The splice replaces the key, never text in a value: quotes in values are escaped."""
    report = awkward_report()
    trap = '"assessment":null,' + AWKWARD
    services = [dataclasses.replace(service, name=trap, assessment=EncodedJson('{"x":1}')) for service in report.services]
    out = json.loads(written(dataclasses.replace(report, services=services)))
    assert [service["name"] for service in out["services"]] == [trap] * 4
    assert [service["assessment"] for service in out["services"]] == [{"x": 1}] * 4


def test_anything_but_the_result_models_is_refused():
    with pytest.raises(TypeError, match="EncodedJson is not part of the JSON report"):
        to_json([EncodedJson("{}")])
