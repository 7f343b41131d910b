"""Shell completion: the installed `redplan` prints a completion script, bash loads it, and TAB completes commands
and option values; --install-completion sets bash up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

BINDIR = Path(sys.executable).parent
REDPLAN = shutil.which("redplan", path=str(BINDIR))
BASH = shutil.which("bash") or "bash"  # CI runs under bash: a missing bash fails these tests rather than skipping them


def environment(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("_REDPLAN_COMPLETE")}
    env["PATH"] = f"{BINDIR}{os.pathsep}{env.get('PATH', '')}"  # this interpreter's redplan comes first
    return {**env, **extra}


def bash(script: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BASH, "--norc", "--noprofile", "-c", script], capture_output=True, text=True, timeout=60,
                          env=environment(**extra))


def test_the_console_script_is_installed():
    assert REDPLAN is not None, f"no redplan console script beside {sys.executable}: pip install -e ."


def test_bash_script_from_the_environment_variable():
    result = subprocess.run([REDPLAN], capture_output=True, text=True, timeout=60, env=environment(_REDPLAN_COMPLETE="source_bash"))
    assert result.returncode == 0, result.stderr
    assert "_redplan_completion()" in result.stdout
    assert "complete -o default -F _redplan_completion redplan" in result.stdout


def test_show_completion_detects_bash():
    result = bash("redplan --show-completion")
    assert result.returncode == 0, result.stderr
    assert "complete -o default -F _redplan_completion redplan" in result.stdout


def complete(words: str) -> list[str]:
    """What TAB offers after `words` in bash with redplan's completion loaded (the last word is being completed)."""
    script = (
        'eval "$(_REDPLAN_COMPLETE=source_bash redplan)" && '
        f"COMP_WORDS=({words}) && COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)) && "
        '_redplan_completion redplan && printf "%s\\n" "${COMPREPLY[@]}"'
    )
    result = bash(script)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_tab_completes_commands_and_option_values():
    assert complete("redplan au") == ["audit"]
    assert set(complete("redplan s")) == {"simulate", "staleness", "schema"}
    assert complete('redplan audit --format ""') == ["text", "json", "sarif", "junit", "github", "markdown"]
    assert complete("redplan recommend --format m") == ["markdown"]


def test_install_completion_for_bash(tmp_path):
    result = bash("redplan --install-completion", HOME=str(tmp_path))
    assert result.returncode == 0, result.stderr
    script = tmp_path / ".bash_completions" / "redplan.sh"
    assert "_redplan_completion" in script.read_text(encoding="utf-8")
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text(encoding="utf-8")
