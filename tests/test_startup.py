"""Commands that need no statistics must not pay for importing scipy or numpy."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from support import EXAMPLES

PROBE = """
import sys
from redplan.cli import app
try:
    app(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
heavy = sorted(name for name in sys.modules if name.split('.')[0] in ('scipy', 'numpy'))
print('HEAVY:' + ','.join(heavy))
"""


@pytest.mark.parametrize(
    "args",
    [["--help"], ["validate", str(EXAMPLES)], ["catalog", "rtt", "aws:us-east-1", "gcp:europe-west1"], ["schema"],
     ["audit", str(EXAMPLES)], ["recommend", str(EXAMPLES / "order-database.yaml")]],
    ids=["help", "validate", "catalog-rtt", "schema", "audit", "recommend-without-partial-quorums"],
)
def test_no_heavy_imports(args):
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60)
    last = result.stdout.strip().splitlines()[-1]
    assert last == "HEAVY:", f"{args} imported {last}"


PIPED_AUDIT = """
import sys
from redplan.cli import app
try:
    app(['audit', sys.argv[1]], standalone_mode=False)
except SystemExit:
    pass
print('RICH-CONSOLE:' + str('rich.console' in sys.modules))
"""


def test_piped_audit_text_does_not_load_richs_console():
    """Output to a pipe is plain: deciding so must not cost rich's Console (and its imports) in every CI run."""
    environment = {key: value for key, value in os.environ.items() if key not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    result = subprocess.run([sys.executable, "-c", PIPED_AUDIT, str(EXAMPLES / "payments-ledger.yaml")],
                            capture_output=True, text=True, timeout=60, env=environment)
    assert result.stdout.strip().splitlines()[-1] == "RICH-CONSOLE:False"


COUNTED_RTT_READS = """
import sys
import redplan.catalog.loader as loader
reads = []
shipped = loader._read_shipped_rtt
loader._read_shipped_rtt = lambda regions: reads.append(1) or shipped(regions)
from redplan.cli import app
try:
    app(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print('RTT-READS:' + str(len(reads)))
"""


@pytest.mark.parametrize(("args", "reads"), [(["validate", str(EXAMPLES / "payments-ledger.yaml")], 0), (["audit", str(EXAMPLES / "payments-ledger.yaml")], 1)],
                         ids=["validate", "audit"])
def test_round_trip_matrix_is_read_only_when_a_latency_needs_it(args, reads):
    result = subprocess.run([sys.executable, "-c", COUNTED_RTT_READS, *args], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == f"RTT-READS:{reads}"
