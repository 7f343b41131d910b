"""Commands that need no statistics must not pay for importing scipy or numpy."""

from __future__ import annotations

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
