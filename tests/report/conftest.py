"""Fixtures for the CI formatters: a working directory, and real audits of a small spec in it."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_samples import BROKEN_SPEC, TODAY

from redplan.catalog import load_catalog
from redplan.engine.audit import audit_fleet
from redplan.engine.results import Report
from redplan.spec.loader import load_fleet


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    """A working directory for the run: URIs and file= are relative to it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def audit_spec(root):
    """audit_spec(text) -> Report of a real audit of services/db.yaml holding text, given relative to the working directory."""

    def run(text: str = BROKEN_SPEC) -> Report:
        path = root / "services" / "db.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return audit_fleet(load_fleet(["services/db.yaml"], load_catalog()), today=TODAY)

    return run
