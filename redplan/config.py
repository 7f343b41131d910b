"""Project settings for audit from `redplan.toml` or `[tool.redplan]` in pyproject.toml, merged with flags.

The nearest such file at or above the working directory applies; flags given
on the command line win over it, and it wins over the defaults.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class ConfigError(Exception):
    """A settings file that cannot be used; the message names the file and the key."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    fail_on: Literal["error", "warning", "info"] = Field("error", alias="fail-on")
    format: Literal["text", "json", "sarif", "junit", "github", "markdown"] | None = None
    catalog_dir: Path | None = Field(None, alias="catalog-dir")
    baseline: Path | None = None


def load_settings(start: Path) -> tuple[Settings, Path | None]:
    """The settings of the nearest redplan.toml or pyproject.toml with [tool.redplan], and that file."""
    for folder in (start, *start.parents):
        own = folder / "redplan.toml"
        if own.is_file():
            return _parse(own, _read(own)), own
        project = folder / "pyproject.toml"
        if project.is_file():
            table = _read(project).get("tool", {}).get("redplan")
            if table is not None:
                return _parse(project, table, "[tool.redplan] "), project
    return Settings(), None


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read settings: {error}") from None


def _parse(path: Path, table: dict, prefix: str = "") -> Settings:
    try:
        settings = Settings.model_validate(table)
    except ValidationError as invalid:
        error = invalid.errors()[0]
        key = ".".join(str(step) for step in error["loc"])
        raise ConfigError(f"{path}: {prefix}{key}: {error['msg']}") from None
    relative_to = path.parent  # paths in a settings file are relative to it
    return settings.model_copy(update={
        name: relative_to / value for name in ("catalog_dir", "baseline") if (value := getattr(settings, name)) is not None
    })
