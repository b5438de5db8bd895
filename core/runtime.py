"""What a running process holds: its settings, engine, session factory, job queue and throttle.

The web application, the command line and a worker each build one ``Runtime``. Job functions
find theirs through ``current()``: the one activated by the code that runs them, or one built
from the environment in an rq worker.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine, make_sessionmaker, transaction
from core.settings import Settings, load_settings
from core.throttle import MemoryThrottle, RedisThrottle, Throttle

if TYPE_CHECKING:
    from core.jobs import JobQueue


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    throttle: Throttle
    redis: Any = None
    _queue: JobQueue | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def queue(self) -> JobQueue:
        """The job queue, created on first use (the in-process pool starts its threads then)."""
        with self._lock:
            if self._queue is None:
                from core.jobs import make_queue

                self._queue = make_queue(self)
            return self._queue

    def session(self) -> AbstractContextManager[Session]:
        """One session and one transaction, committed at the end of the block."""
        return transaction(self.sessions)

    def close(self) -> None:
        if self._queue is not None:
            self._queue.shutdown()
        self.engine.dispose()


def redis_client(url: str) -> Any:
    from redis import Redis

    return Redis.from_url(url)


def build_runtime(settings: Settings, engine: Engine | None = None) -> Runtime:
    engine = engine or make_engine(settings.database_url)
    redis = redis_client(settings.redis_url) if settings.redis_url else None
    lock_seconds = settings.login_lock_minutes * 60
    throttle: Throttle = (
        RedisThrottle(redis, settings.login_max_failures, lock_seconds, settings.queue_name)
        if redis is not None
        else MemoryThrottle(settings.login_max_failures, lock_seconds)
    )
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        throttle=throttle,
        redis=redis,
    )
    runtime.sessions.kw["info"] = {"atd.runtime": runtime}
    return runtime


_current: contextvars.ContextVar[Runtime | None] = contextvars.ContextVar(
    "atd_runtime", default=None
)
_from_env: Runtime | None = None
_from_env_lock = threading.Lock()


@contextmanager
def activated(runtime: Runtime) -> Iterator[Runtime]:
    token = _current.set(runtime)
    try:
        yield runtime
    finally:
        _current.reset(token)


def current() -> Runtime:
    """The active runtime, or one built once from the environment (in an rq worker)."""
    runtime = _current.get()
    if runtime is not None:
        return runtime
    global _from_env
    with _from_env_lock:
        if _from_env is None:
            _from_env = build_runtime(load_settings())
        return _from_env


def runtime_of(session: Session) -> Runtime:
    runtime = session.info.get("atd.runtime")
    return runtime if runtime is not None else current()
