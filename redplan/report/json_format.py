"""JSON output: the public contract of DESIGN.md §4, stable names, sorted keys."""

from __future__ import annotations

import json
from typing import TextIO

from redplan.engine.results import Report


class JsonFormatter:
    def write(self, report: Report, stream: TextIO) -> None:
        stream.write(json.dumps(report.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n")
