import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "tools" / "build_catalogs.py"
PUBLISHED = REPO_ROOT / ".." / "shared" / "data" / "rtt"
BUILT = ("regions.csv", "rtt.csv", "intra_region.csv", "azure_region_pairs.csv", "sources.csv")

needs_published_data = pytest.mark.skipif(not PUBLISHED.is_dir(), reason="../shared/data/rtt is not available")


def build(source_dir: Path, out_dir: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), "--source-dir", str(source_dir), "--out-dir", str(out_dir)]
    return subprocess.run(command, capture_output=True, text=True)


@needs_published_data
def test_rebuild_reproduces_the_shipped_catalogs_byte_for_byte(tmp_path):
    assert build(PUBLISHED, tmp_path).returncode == 0
    for name in BUILT:
        assert (tmp_path / name).read_bytes() == (REPO_ROOT / "catalogs" / name).read_bytes(), name


@needs_published_data
def test_build_rejects_a_round_trip_faster_than_light_in_fiber(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(PUBLISHED, source)
    lines = (source / "rtt_ms.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith("aws,us-east-1,eu-west-2,"))
    lines[index] = "aws,us-east-1,eu-west-2,20,p50,cloudping-p50-1y-2025-05-29\n"
    (source / "rtt_ms.csv").write_text("".join(lines), encoding="utf-8")
    result = build(source, tmp_path / "out")
    assert result.returncode == 1
    assert f"rtt_ms.csv:{index + 1}: aws:us-east-1 -> aws:eu-west-2 20 ms is below the physical floor" in result.stderr
    assert not (tmp_path / "out").exists()
