"""Every broken file gives one precise `file:line:col: message`, exit 2, and no traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(BROKEN.glob("*.yaml"))


def expectation(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: '"
    return first.removeprefix("# expect: ")


@pytest.mark.parametrize("path", CASES, ids=lambda path: path.stem)
def test_broken_file_is_reported_at_its_line(redplan, path):
    result = redplan("validate", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr  # the error and the summary line
    expected = expectation(path)
    if re.match(r"^\d+:\d+: ", expected):
        assert lines[0].startswith(f"{path}:{expected}"), lines[0]
    else:
        assert lines[0].startswith(f"{path}:") and expected in lines[0], lines[0]
    assert lines[1] == "1 error in 1 file"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("binary.yaml", b"version: 1\n\x00\x01\x02", ":2:1: is a binary file (NUL byte), not YAML"),
        ("latin1.yaml", b"version: 1\nservices:\n  - name: caf\xe9\n", ":3:14: is not UTF-8: byte 0xe9 cannot be decoded"),
        ("utf16.yaml", "version: 1\n".encode("utf-16"), ":1:1: is UTF-16; save it as UTF-8"),
    ],
)
def test_undecodable_files(redplan, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = redplan("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"{path}{message}"


def test_missing_file_and_empty_directory(redplan, tmp_path):
    (tmp_path / "empty-dir").mkdir()
    missing, empty = tmp_path / "missing.yaml", tmp_path / "empty-dir"
    result = redplan("validate", str(missing), str(empty))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{empty}:1:1: is a directory with no .yaml or .yml files in it",
        f"{missing}:1:1: no such file or directory",
        "2 errors in 2 files",
    ]


def test_a_directory_of_broken_files_reports_each(redplan):
    result = redplan("validate", str(BROKEN))
    assert result.exit_code == 2
    reported = {line.split(":")[0] for line in result.stderr.splitlines()[:-1]}
    assert reported == {str(path) for path in CASES}


def test_deep_nesting_is_refused_not_crashed(redplan, tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("version: 1\nservices: " + "[" * 200_000 + "]" * 200_000 + "\n")
    result = redplan("validate", str(path))
    assert result.exit_code == 2
    # libyaml >= 0.2.6 (PyYAML 6.0.2+ wheels) stops at its own depth limit while scanning ahead; older ones reach ours
    assert "nesting" in result.stderr and result.stderr.count("\n") == 2


def test_broken_files_never_print_a_traceback_from_a_real_process():
    """A subprocess sees what a user sees: exit 2, no traceback, every file named."""
    result = subprocess.run(
        [sys.executable, "-m", "redplan", "validate", *map(str, CASES)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    named = {line.split(":")[0] for line in result.stderr.splitlines()[:-1]}
    assert named == {str(path) for path in CASES}
