"""`atd worker` command."""

from __future__ import annotations

COMMANDS: list = []
