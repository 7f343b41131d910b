"""JSON output: the public contract of DESIGN.md §4, stable names, sorted keys.

Compact, on one line: indenting forces Python's pure-Python encoder, which took longer than the
whole audit for a 10,000-service fleet (43 MB). `jq .` shows it indented.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, TextIO

from redplan.engine.results import EncodedJson, Report, service_json, to_json

if TYPE_CHECKING:
    from redplan.engine.simulate import SimulationReport
    from redplan.engine.staleness import StalenessReport


class JsonFormatter:
    def write(self, report: Report | SimulationReport | StalenessReport, stream: TextIO) -> None:
        """The report as one `to_json` encodes it. Services that audit workers sent already encoded
        (`EncodedJson`) go in as they are, so such a report is written service by service."""
        # only an audit's Report carries EncodedJson (simulate and staleness reports never do)
        if not isinstance(report, Report) or not any(isinstance(service.assessment, EncodedJson) for service in report.services):
            stream.write(to_json(report) + "\n")
            return
        write_spliced(stream, to_json(replace(report, services=[])), "services", map(service_json, report.services))


def write_spliced(stream: TextIO, skeleton: str, key: str, items: Iterable[str]) -> None:
    """`skeleton` (compact JSON whose `key` is an empty list) with `items`, each an encoded element, as that
    list: written piece by piece, since one string of a big report (35 MB) would be copied three times over.
    The key is found by its quote, colon and bracket, which a string value cannot hold unescaped."""
    before, after = skeleton.split(f'"{key}":[]', 1)
    stream.write(f'{before}"{key}":[')
    for index, item in enumerate(items):
        stream.write("," + item if index else item)
    stream.write("]" + after + "\n")
