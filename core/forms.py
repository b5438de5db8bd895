"""Parsing what people type into typed values, raising the French message they will read."""

from __future__ import annotations

from datetime import date

from core.errors import AtdError, ValidationError


def parse_day(
    value: str | None, message: str, error: type[AtdError] = ValidationError
) -> date | None:
    """An ISO date (AAAA-MM-JJ), or None when nothing was typed.

    Raises:
        ``error(message)`` when the text is not a date.
    """
    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise error(message) from None
