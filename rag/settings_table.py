"""The README's settings table, made from the `Settings` model (`rag settings` prints it).

Each row is a field: its environment variable, its default and its `description=`, so
the table cannot drift from the code; tests/rag/test_settings.py fails when README's
copy differs from what this makes.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from rag.settings import Settings

HEADER = ("| variable | default | meaning |", "|---|---|---|")


def default_text(field: FieldInfo) -> str:
    """The field's default as the table shows it: blank for none, lists as JSON."""
    value = field.get_default(call_default_factory=True)
    if value is None:
        return ""
    if isinstance(value, float):
        shown = f"{value:g}"
    elif isinstance(value, list | tuple | dict):
        shown = json.dumps(value)
    elif isinstance(value, Path):
        shown = value.as_posix()
    else:
        shown = str(value)
    return f"`{shown}`"


def cell(text: str) -> str:
    """Text that stays in one table cell: a `|` would end it, even inside backticks."""
    return text.replace("|", "\\|")


def markdown_table(model: type[BaseSettings] = Settings) -> str:
    """One row per setting, in the model's order, as the README's Settings section holds it."""
    prefix = str(model.model_config.get("env_prefix", ""))
    rows = [
        row(f"`{prefix}{name.upper()}`", default_text(field), field.description or "")
        for name, field in model.model_fields.items()
    ]
    return "\n".join([*HEADER, *rows])


def row(*cells: str) -> str:
    """A table row, an empty cell written `| |`."""
    return "|" + "|".join(f" {cell(c)} " if c else " " for c in cells) + "|"
