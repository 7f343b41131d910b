"""JSON Schema of spec v1, for editors (yaml-language-server) and for CI validation."""

from __future__ import annotations

from typing import Any

from redplan.spec.models import SpecDocument

SCHEMA_ID = "https://redplan.dev/schema/spec-v1.json"


def spec_json_schema() -> dict[str, Any]:
    schema = SpecDocument.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "redplan service file (spec v1)",
    }
