"""What the simulator can be told to do wrong, so that tests and demos show the connector cope."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class FaultSettings:
    """Shares are between 0 and 1 and apply to the API's requests only (``/api/…``)."""

    # Answered 500 before anything is done.
    error_rate: float = 0.0
    # Done, then answered 500: the client cannot tell it worked, and must be idempotent.
    error_after_rate: float = 0.0
    # Added to every API request, to make clients time out.
    latency_ms: int = 0


class Faults:
    """The current fault settings, changed at run time through the control endpoint."""

    def __init__(self, seed: int | None = None) -> None:
        self._settings = FaultSettings()
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def update(self, values: dict[str, Any]) -> FaultSettings:
        """Change some settings; unknown keys and values out of range raise ValueError."""
        with self._lock:
            current = asdict(self._settings)
            for key, value in values.items():
                if key not in current:
                    raise ValueError(f"réglage inconnu : {key}")
                number = float(value)
                if key.endswith("_rate") and not 0 <= number <= 1:
                    raise ValueError(f"{key} doit être entre 0 et 1")
                if number < 0:
                    raise ValueError(f"{key} doit être positif")
                current[key] = int(number) if key == "latency_ms" else number
            self._settings = FaultSettings(**current)
            return self._settings

    @property
    def settings(self) -> FaultSettings:
        return self._settings

    def _draw(self, rate: float) -> bool:
        with self._lock:
            return rate > 0 and self._random.random() < rate

    def before(self) -> bool:
        """Wait the latency; True when this request must fail before being handled."""
        if self._settings.latency_ms:
            time.sleep(self._settings.latency_ms / 1000)
        return self._draw(self._settings.error_rate)

    def after(self) -> bool:
        """True when this request, handled, must still be answered 500."""
        return self._draw(self._settings.error_after_rate)
