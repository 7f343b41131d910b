"""Shared fixtures: run the CLI in-process and find the repository's files."""

from __future__ import annotations

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from redplan.cli import app

# Same examples on every run: a red CI run must be reproducible, not a dice roll.
settings.register_profile("redplan", derandomize=True, print_blob=True)
settings.load_profile("redplan")


class Run:
    def __init__(self, result):
        self.exit_code = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr
        self.exception = result.exception


@pytest.fixture
def redplan():
    """Call redplan in-process: redplan("validate", "x.yaml") -> Run with exit_code, stdout, stderr."""
    runner = CliRunner()

    def run(*args: str) -> Run:
        result = runner.invoke(app, list(args), catch_exceptions=True)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result)

    return run
