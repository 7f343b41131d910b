"""Input errors: a problem with what the user wrote, located at file:line:col."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class InputError:
    """One thing wrong with an input file; line and column are 1-based."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class SpecInputError(Exception):
    """Raised when input files cannot be turned into a valid specification."""

    def __init__(self, errors: list[InputError]):
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


def shown(value: Any, limit: int = 60) -> str:
    """`repr(value)`, cut to about `limit` characters: a message never repeats a 10 MB value whole."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + "…"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"
