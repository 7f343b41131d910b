"""The JSON formatter: one `json.dumps` of the report's fields, with worker-encoded assessments spliced in."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from report_samples import AWKWARD

from redplan.engine.results import EncodedJson, encoded, to_json
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


def test_services_encoded_by_workers_go_in_as_they_are(audit_spec):
    """Workers send services already encoded; the output is byte for byte the one of the objects."""
    report = audit_spec()
    services = [encoded(service) for service in report.services]
    assert any(isinstance(service.assessment, EncodedJson) for service in services)
    assert written(dataclasses.replace(report, services=services)) == written(report) == plain(report)


def test_a_service_whose_findings_changed_since_it_was_encoded_is_encoded_anew(audit_spec):
    """Suppressions, service-graph findings and baselines put in a new findings list: the worker's text is stale then."""
    report = audit_spec()
    assert report.services[0].findings
    fewer = [dataclasses.replace(service, findings=service.findings[1:]) for service in report.services]
    stale = [dataclasses.replace(encoded(service), findings=service.findings[1:]) for service in report.services]
    assert written(dataclasses.replace(report, services=stale)) == written(dataclasses.replace(report, services=fewer)) == plain(
        dataclasses.replace(report, services=fewer))
    assert written(dataclasses.replace(report, services=stale)) != written(report)


def test_a_name_that_spells_the_assessment_key_is_not_spliced_into(audit_spec):
    """The splice replaces the key, never text in a value: quotes in values are escaped."""
    report = audit_spec()
    trap = '"assessment":null,' + AWKWARD
    services = [encoded(dataclasses.replace(service, name=trap)) for service in report.services]
    anew = [dataclasses.replace(service, findings=[]) for service in services]  # spliced again around the assessment's text
    for variant in (services, anew):
        out = json.loads(written(dataclasses.replace(report, services=variant)))
        assert [service["name"] for service in out["services"]] == [trap] * len(services)
        assert [service["assessment"] for service in out["services"]] == [json.loads(to_json(service.assessment)) for service in report.services]


def test_anything_but_the_result_models_is_refused(audit_spec):
    with pytest.raises(TypeError, match="EncodedJson is not part of the JSON report"):
        to_json([encoded(audit_spec().services[0]).assessment])
