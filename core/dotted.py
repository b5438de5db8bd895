"""Resolving ``"package.module.name"`` strings, so that core can name code of later packages."""

from __future__ import annotations

import importlib
from typing import Any


def resolve(path: str) -> Any:
    """The object named by ``path`` (a module-level function, class or variable)."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)
