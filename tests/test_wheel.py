"""The built wheel works on its own: a fresh venv, another directory, the shipped catalogs."""

from __future__ import annotations

import os
import subprocess
import sys

from support import REPO


def run(*args, cwd=None):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=900, check=True)


def test_wheel_installs_and_runs_from_elsewhere(tmp_path):
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO))
    (wheel,) = dist.glob("redplan-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(venv))
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    run(str(bindir / "python"), "-m", "pip", "install", "--quiet", str(wheel))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    version = run(str(bindir / "redplan"), "--version", cwd=elsewhere)
    assert version.stdout.startswith("redplan ")
    lookup = run(str(bindir / "redplan"), "catalog", "rtt", "aws:us-east-1", "aws:eu-west-2", cwd=elsewhere)
    assert "cloudping-p50-1y-2025-05-29" in lookup.stdout
    location = run(str(bindir / "python"), "-c", "import redplan; print(redplan.__file__)", cwd=elsewhere)
    assert str(venv) in location.stdout  # the wheel's copy, not this checkout
    example = REPO / "examples" / "payments-ledger.yaml"
    assert run(str(bindir / "redplan"), "validate", str(example), cwd=elsewhere).stdout.startswith("ok: 1 file")
