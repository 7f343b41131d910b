"""The commands as a user runs them: exit codes, what goes to stdout and stderr."""

from __future__ import annotations

import json

from support import EXAMPLES, REPO

from redplan import __version__


def test_version(redplan):
    result = redplan("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"redplan {__version__}"


def test_no_arguments_shows_help(redplan):
    result = redplan()
    assert "validate" in result.stdout and "catalog" in result.stdout


def test_examples_are_valid(redplan):
    result = redplan("validate", str(EXAMPLES))
    assert result.exit_code == 0, result.stderr
    files = len(list(EXAMPLES.glob("*.yaml")))
    assert result.stdout.startswith(f"ok: {files} files, ")


def test_validate_glob(redplan):
    result = redplan("validate", str(EXAMPLES / "pay*.yaml"))
    assert result.exit_code == 0 and result.stdout.strip() == "ok: 1 file, 1 service valid"


def test_validate_needs_a_path(redplan):
    assert redplan("validate").exit_code == 2


def test_rtt_published_pair(redplan):
    result = redplan("catalog", "rtt", "aws:us-east-1", "aws:eu-west-2")
    assert result.exit_code == 0
    assert "p50 77.7 ms (published)" in result.stdout
    assert "cloudping-p50-1y-2025-05-29" in result.stdout


def test_rtt_estimated_pair_as_json(redplan):
    result = redplan("catalog", "rtt", "aws:us-east-1", "gcp:europe-west1", "--format", "json")
    figure = json.loads(result.stdout)
    assert figure["estimated"] is True and figure["source"] == "estimate"
    assert figure["p50_ms"] >= figure["floor_ms"] > 60


def test_rtt_unknown_region_suggests(redplan):
    result = redplan("catalog", "rtt", "aws:us-east-l", "aws:eu-west-2")
    assert result.exit_code == 2
    assert result.stderr.strip() == "unknown region 'aws:us-east-l'; did you mean aws:us-east-1?"


def test_rtt_without_location_or_measurement(redplan):
    result = redplan("catalog", "rtt", "gcp:us-east7", "aws:us-east-1")
    assert result.exit_code == 2 and "has no published location" in result.stderr


def test_regions_by_provider(redplan):
    result = redplan("catalog", "regions", "--provider", "gcp", "--format", "json")
    regions = json.loads(result.stdout)
    assert len(regions) == 45 and {region["provider"] for region in regions} == {"gcp"}
    assert redplan("catalog", "regions", "--provider", "ibm").exit_code == 2


def test_catalog_dir_overrides_the_shipped_files(redplan, tmp_path):
    shipped = (REPO / "catalogs" / "regions.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for line in shipped if not line.startswith("aws:eu-west-2,")]
    (tmp_path / "regions.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    assert redplan("catalog", "rtt", "aws:us-east-1", "aws:eu-west-2").exit_code == 0
    result = redplan("catalog", "rtt", "aws:us-east-1", "aws:eu-west-2", "--catalog-dir", str(tmp_path))
    assert result.exit_code == 2


def test_bad_catalog_dir_is_an_input_error(redplan, tmp_path):
    (tmp_path / "rtt.csv").write_text("a,b,p50_ms,p95_ms,source\naws:us-east-1,aws:eu-west-2,1,,x\n", encoding="utf-8")
    result = redplan("catalog", "rtt", "aws:us-east-1", "aws:eu-west-2", "--catalog-dir", str(tmp_path))
    assert result.exit_code == 2 and result.stderr.startswith("catalog error: ")


def test_schema_to_file_never_overwrites_silently(redplan, tmp_path):
    target = tmp_path / "schema.json"
    assert redplan("schema", "--output", str(target)).exit_code == 0
    target.write_text("mine", encoding="utf-8")
    result = redplan("schema", "--output", str(target))
    assert result.exit_code == 2 and "--force" in result.stderr
    assert target.read_text(encoding="utf-8") == "mine"
    assert redplan("schema", "--output", str(target), "--force").exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["title"] == "redplan service file (spec v1)"


def test_help_texts_keep_their_brackets(redplan):
    """Rich markup must not eat literal [brackets] in help texts."""
    assert "[tool.redplan]" in redplan("audit", "--help").stdout
