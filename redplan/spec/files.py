"""From command-line paths (files, directories, globs) to decoded YAML texts.

File-level problems (missing, binary, not UTF-8, too large) are located at
1:1 like ruff's I/O errors, so every message keeps the file:line:col shape
that editors and CI problem matchers parse.
"""

from __future__ import annotations

import glob
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from redplan.spec.errors import InputError

MAX_FILE_BYTES = 16 * 2**20
YAML_SUFFIXES = (".yaml", ".yml")
_GLOB_CHARS = set("*?[")


def collect_files(paths: Iterable[str]) -> tuple[list[str], list[InputError]]:
    """Expand paths into YAML files: directories recursively, globs when nothing has that literal name."""
    files: list[str] = []
    errors: list[InputError] = []
    for raw in paths:
        if os.path.isdir(raw):
            found = _yaml_files_under(raw)
            if not found:
                errors.append(InputError(raw, 1, 1, "is a directory with no .yaml or .yml files in it"))
            files.extend(_only_files(found, errors))
        elif os.path.exists(raw):
            files.append(raw)
        elif _GLOB_CHARS & set(raw):
            matches = sorted(_glob(raw))
            if not matches:
                errors.append(InputError(raw, 1, 1, "no file matches this pattern"))
            for match in matches:
                files.extend(_only_files(_yaml_files_under(match) if os.path.isdir(match) else [match], errors))
        else:
            errors.append(InputError(raw, 1, 1, "no such file or directory"))
    unique = list(dict.fromkeys(os.path.normpath(path) for path in files))
    return unique, errors


def _glob(pattern: str) -> list[str]:
    """`glob.glob(pattern, recursive=True)`, except that `**` does not descend into symlinked folders,
    as a directory argument does not: with two symlinks to `.` below it, glob's own `**` never ends."""
    if "**" not in pattern:
        return glob.glob(pattern)
    parts = Path(pattern).parts
    head = next(index for index, part in enumerate(parts) if _GLOB_CHARS & set(part))
    base = Path(*parts[:head]) if head else Path()
    written = set(parts[head:])
    return [str(match) for match in base.glob(str(Path(*parts[head:])))  # like glob: `*` and `**` skip hidden names
            if not any(part.startswith(".") and part not in written for part in match.relative_to(base).parts)]


def _only_files(paths: list[str], errors: list[InputError]) -> list[str]:
    """The paths a directory or pattern brought in, less named pipes, sockets and devices (reading a
    pipe waits for a writer that may never come): those are reported, not read."""
    kept = []
    for path in paths:
        try:
            special = not stat.S_ISREG(os.stat(path).st_mode)
        except OSError:
            special = False  # a broken link: read_text says what is wrong with it
        if special:
            errors.append(InputError(path, 1, 1, "is a named pipe, socket or device, not a file: not read"))
        else:
            kept.append(path)
    return kept


def _yaml_files_under(directory: str) -> list[str]:
    """YAML files below a directory, sorted, skipping hidden folders; symlinked folders are not followed."""
    found: list[str] = []
    for root, folders, names in os.walk(directory):
        folders[:] = sorted(folder for folder in folders if not folder.startswith("."))
        found.extend(os.path.join(root, name) for name in sorted(names) if name.endswith(YAML_SUFFIXES))
    return found


def read_text(path: str) -> tuple[str | None, InputError | None]:
    """The file's text as UTF-8, or the reason it cannot be read as a service file."""
    try:
        if Path(path).is_dir():
            return None, InputError(path, 1, 1, "is a directory, not a file")
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return None, InputError(path, 1, 1, f"cannot read: {error.strerror or error}")
    if len(data) > MAX_FILE_BYTES:
        return None, InputError(path, 1, 1, f"is larger than the {MAX_FILE_BYTES // 2**20} MiB limit for a service file")
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return None, InputError(path, 1, 1, "is UTF-32; save it as UTF-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, InputError(path, 1, 1, "is UTF-16; save it as UTF-8")
    if b"\x00" in data:
        offset = data.index(b"\x00")
        line, column = _line_column(data, offset)
        return None, InputError(path, line, column, "is a binary file (NUL byte), not YAML")
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # not "utf-8-sig": its error offsets leave the BOM out
    try:
        return data[bom:].decode("utf-8"), None
    except UnicodeDecodeError as error:
        offset = bom + error.start
        line, column = _line_column(data, offset)
        return None, InputError(path, line, column, f"is not UTF-8: byte 0x{data[offset]:02x} cannot be decoded")


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1
