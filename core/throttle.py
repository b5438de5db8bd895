"""Counting failed attempts per key, in Redis when configured, else in this process's memory."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Throttle(Protocol):
    def is_locked(self, key: str) -> bool: ...

    def fail(self, key: str) -> None: ...

    def reset(self, key: str) -> None: ...


class MemoryThrottle:
    """For the embedded setup: one process serves every request."""

    def __init__(self, max_failures: int, lock_seconds: int) -> None:
        self.max_failures, self.lock_seconds = max_failures, lock_seconds
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def _current(self, key: str) -> int:
        count, since = self._failures.get(key, (0, 0.0))
        if count and time.monotonic() - since > self.lock_seconds:
            self._failures.pop(key, None)
            return 0
        return count

    def is_locked(self, key: str) -> bool:
        with self._lock:
            return self._current(key) >= self.max_failures

    def fail(self, key: str) -> None:
        with self._lock:
            count = self._current(key) + 1
            # The lock window starts at the latest failure.
            self._failures[key] = (count, time.monotonic())

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class RedisThrottle:
    """Shared by every process of a deployment that has Redis."""

    def __init__(
        self, redis: object, max_failures: int, lock_seconds: int, prefix: str = "atd"
    ) -> None:
        self.redis, self.max_failures, self.lock_seconds = redis, max_failures, lock_seconds
        self.prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self.prefix}:throttle:{key}"

    def is_locked(self, key: str) -> bool:
        value = self.redis.get(self._key(key))  # type: ignore[attr-defined]
        return int(value or 0) >= self.max_failures

    def fail(self, key: str) -> None:
        pipe = self.redis.pipeline()  # type: ignore[attr-defined]
        pipe.incr(self._key(key))
        pipe.expire(self._key(key), self.lock_seconds)
        pipe.execute()

    def reset(self, key: str) -> None:
        self.redis.delete(self._key(key))  # type: ignore[attr-defined]
