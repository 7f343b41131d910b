"""The hooks in .pre-commit-hooks.yaml, run by pre-commit itself: `pre-commit try-repo` on this checkout installs
redplan from it (uncommitted changes included) into its own environment and runs both hooks on a repository with
one good and one broken service file.

try-repo clones the checkout and installs redplan with its dependencies into a new store on every run (it ignores
PRE_COMMIT_HOME), about 20 s each: so two runs, one on both files and one on the good file alone. pre-commit comes
with the test extra: without it this fails rather than skips.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import EXAMPLES, REPO

BROKEN = """\
version: 1
services:
  - name: ledger
    state: stateful
    objectives: {rpo_seconds: 5}
"""
BROKEN_MESSAGE = "services/broken.yaml:5:18: service 'ledger': objectives: unknown key 'rpo_seconds'; did you mean rpo?"


def git(*args: str, cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def environment(tmp_path_factory) -> dict[str, str]:
    """No GIT_* variables from an outer git hook, and pre-commit's home in a temporary folder."""
    import pre_commit  # noqa: F401  (ImportError here means: pip install -e '.[test]')

    env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    return env


@pytest.fixture(scope="module")
def project(tmp_path_factory, environment) -> Path:
    """A git repository that keeps its service files under services/, as the hooks expect."""
    root = tmp_path_factory.mktemp("project")
    (root / "services").mkdir()
    shutil.copy(EXAMPLES / "payments-ledger.yaml", root / "services" / "good.yaml")
    (root / "services" / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    (root / "README.md").write_text("not a service file\n", encoding="utf-8")
    git("init", "--quiet", cwd=root, env=environment)
    git("add", ".", cwd=root, env=environment)
    return root


def try_repo(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), *args, "--color=never"]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)


def hook_result(output: str, name: str) -> str:
    """`Passed`, `Failed` or `(no files to check)Skipped` from pre-commit's status line for the hook."""
    line = next(line for line in output.splitlines() if line.startswith(f"{name}..."))
    return line.rstrip(".").rsplit(".", 1)[-1]


def test_hooks_fail_on_the_broken_file_at_its_line_and_column(project, environment):
    result = try_repo(project, environment, "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert hook_result(output, "redplan validate") == "Failed"
    assert hook_result(output, "redplan audit") == "Failed"
    assert "- hook id: redplan-validate\n- exit code: 2" in output
    assert "- hook id: redplan-audit\n- exit code: 2" in output
    assert output.count(BROKEN_MESSAGE) == 2  # once per hook
    assert "good.yaml" not in output  # nothing to say about the good file
    assert "README.md" not in output  # files: keeps the hooks to services/


def test_hooks_pass_on_the_good_file(project, environment):
    result = try_repo(project, environment, "--files", "services/good.yaml")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert hook_result(output, "redplan validate") == "Passed"
    assert hook_result(output, "redplan audit") == "Passed"

