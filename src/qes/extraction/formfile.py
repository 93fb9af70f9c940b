"""A custom form as a file: JSON (a list of fields, or {"kind": ..., "fields": [...]}) or TOML
(`kind = "appraisal"` and [[fields]] tables). Parsed from its text; messages start "file[:line]:"."""

from __future__ import annotations

import json
import tomllib
from typing import Any

from qes.errors import UserError
from qes.extraction.fields import Field, parse_fields


def parse_form_file(text: str, name: str) -> tuple[str | None, tuple[Field, ...]]:
    """(kind or None, fields) from the text of `name` (TOML when it ends in .toml, else JSON)."""
    try:
        data: Any = tomllib.loads(text) if name.lower().endswith(".toml") else json.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{name}: not valid TOML: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{name}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    kind = None
    if isinstance(data, dict):
        kind = data.get("kind")
        data = data.get("fields")
    if not isinstance(data, list):
        raise UserError(f"{name}: expected a list of fields (JSON) or [[fields]] tables (TOML)")
    return (str(kind) if kind is not None else None), parse_fields(data, name)
