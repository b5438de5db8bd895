"""`atd plan` commands."""

from __future__ import annotations

COMMANDS: list = []
