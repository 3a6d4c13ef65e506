"""Config sections → typed settings objects, ignoring keys a dataclass does not know.

Config is validated against config/schema.yaml before any job exists; this only maps the
validated values onto the dataclasses the library functions take.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Mapping, TypeVar

T = TypeVar("T")


def settings_from(cls: type[T], section: Mapping[str, Any] | None, **overrides: Any) -> T:
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    values = {k: v for k, v in dict(section or {}).items() if k in known}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return cls(**values)
