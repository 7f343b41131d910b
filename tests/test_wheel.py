"""The built wheel works on its own: a fresh venv, another directory, the shipped catalogs; and `pipx install` of it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from support import REPO

BIN = "Scripts" if os.name == "nt" else "bin"
EXAMPLE = REPO / "examples" / "payments-ledger.yaml"


def run(*args, cwd=None, env=None):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=True)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel built from this checkout, once for the module."""
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO))
    (built,) = dist.glob("redplan-*.whl")
    return built


def test_wheel_installs_and_runs_from_elsewhere(wheel, tmp_path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(venv))
    bindir = venv / BIN
    run(str(bindir / "python"), "-m", "pip", "install", "--quiet", str(wheel))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    version = run(str(bindir / "redplan"), "--version", cwd=elsewhere)
    assert version.stdout.startswith("redplan ")
    lookup = run(str(bindir / "redplan"), "catalog", "rtt", "aws:us-east-1", "aws:eu-west-2", cwd=elsewhere)
    assert "cloudping-p50-1y-2025-05-29" in lookup.stdout
    location = run(str(bindir / "python"), "-c", "import redplan; print(redplan.__file__)", cwd=elsewhere)
    assert str(venv) in location.stdout  # the wheel's copy, not this checkout
    assert run(str(bindir / "redplan"), "validate", str(EXAMPLE), cwd=elsewhere).stdout.startswith("ok: 1 file")


def test_pipx_installs_the_wheel(wheel, tmp_path):
    """`pipx install` puts redplan in its own venv and its command in PIPX_BIN_DIR (pipx comes with the test extra:
    without it this fails rather than skips)."""
    import pipx  # noqa: F401  (ImportError here means: pip install -e '.[test]')

    home, bindir = tmp_path / "pipx", tmp_path / "bin"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PIPX_", "PIP_REQUIRE_VIRTUALENV"))}
    env.update(PIPX_HOME=str(home), PIPX_BIN_DIR=str(bindir), PIPX_MAN_DIR=str(tmp_path / "man"),
               PIPX_DEFAULT_PYTHON=sys.executable, PIPX_DISABLE_SHARED_LIBS_AUTO_UPGRADE="1")
    installed = run(sys.executable, "-m", "pipx", "install", str(wheel), env=env)
    assert "redplan" in installed.stdout + installed.stderr
    redplan = bindir / ("redplan.exe" if os.name == "nt" else "redplan")
    assert redplan.exists()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    assert run(str(redplan), "--version", cwd=elsewhere).stdout.startswith("redplan ")
    assert run(str(redplan), "validate", str(EXAMPLE), cwd=elsewhere).stdout.startswith("ok: 1 file, 1 service valid")
    listed = run(sys.executable, "-m", "pipx", "list", "--short", env=env)
    assert listed.stdout.startswith("redplan ")
    location = run(str(home / "venvs" / "redplan" / BIN / "python"), "-c", "import redplan; print(redplan.__file__)", cwd=elsewhere)
    assert str(home) in location.stdout  # pipx's own venv, not this checkout
