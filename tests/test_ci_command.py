"""CI runs exactly the test command the README gives a new contributor."""

from __future__ import annotations

import re

from support import REPO


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(python3 -m pip install -e '\.\[test\]' && [^\n]+)\n```", readme)
    assert len(commands) == 1, "the README gives one test command, in its own sh block"
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci_lines[-1] == commands[0]
