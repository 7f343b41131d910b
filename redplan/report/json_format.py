"""JSON output: the public contract of DESIGN.md §4, stable names, sorted keys."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TextIO

from redplan.engine.results import Report


class JsonFormatter:
    def write(self, report: Report, stream: TextIO) -> None:
        stream.write(json.dumps(asdict(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n")
