"""Errors of the onboarding package."""

from __future__ import annotations

from collections.abc import Iterable

from core.errors import ValidationError


def located(where: str, message: str) -> str:
    """One error line as people read it: where first, then what."""
    return f"{where} : {message}"


class InventoryError(ValidationError):
    """An inventory that cannot be loaded; carries every error found, each with its location."""

    def __init__(self, messages: Iterable[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))

    def __str__(self) -> str:
        return "\n".join(self.messages)
