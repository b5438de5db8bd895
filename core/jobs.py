"""The one way to run background work: ``enqueue`` after commit, on rq or an in-process pool.

Jobs are importable functions taking ids; they open their own session with ``job_session()``
and must be safe to run twice. A job that raises ``TransientError`` is run again later with
exponential backoff and jitter, up to ``ATD_JOB_MAX_ATTEMPTS`` attempts. A job marked
``@coalesced`` is queued at most once until its run starts.
"""

from __future__ import annotations

import logging
import math
import os
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from rq.timeouts import JobTimeoutException
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, configure_mappers

from core.dotted import resolve
from core.errors import TransientError
from core.runtime import Runtime, activated, current, runtime_of

log = logging.getLogger(__name__)

_PENDING = "atd.pending_jobs"
_COALESCED = "__atd_coalesced__"
MAX_BACKOFF_SECONDS = 300.0
# How long Redis remembers a queued coalesced run: a run lost with its worker blocks no more.
COALESCE_SECONDS = 120

Job = TypeVar("Job", bound=Callable[..., Any])
# Raised inside a job that an rq worker stops past ATD_JOB_TIMEOUT_SECONDS.
JobTimedOut = JobTimeoutException


class JobQueue(Protocol):
    def submit(self, path: str, args: tuple[Any, ...], kwargs: dict[str, Any], attempt: int = 1,
               delay: float = 0.0, coalesce: bool = False) -> None:
        """Queue the call; with ``coalesce``, not if a run of the same call waits unstarted."""

    def starting(self, path: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Forget that a coalesced run of the call waits: it starts now."""

    def shutdown(self) -> None: ...


def coalesced(func: Job) -> Job:
    """Mark a job that takes all the waiting work, so that one queued run of it is enough.

    A commit asking for it while a run of the same call waits in the queue adds nothing: that
    run will see the commit's work. The mark is cleared when the run starts, before it reads
    anything, so work committed during a run queues the next one. Retries are not coalesced.
    """
    setattr(func, _COALESCED, True)
    return func


def is_coalesced(func: Callable[..., Any]) -> bool:
    return bool(getattr(func, _COALESCED, False))


def call_key(path: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The call's identity: two calls with the same key do the same work."""
    return f"{path}{args!r}{sorted(kwargs.items())!r}"


def job_path(func: Callable[..., Any] | str) -> str:
    if isinstance(func, str):
        return func
    if "<" in func.__qualname__:
        raise ValueError(f"job {func!r} must be a module-level function")
    return f"{func.__module__}.{func.__qualname__}"


@dataclass
class _Pending:
    """A job waiting for its transaction; ``owner`` is the savepoint it was enqueued in."""

    path: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    owner: SessionTransaction | None


def enqueue(session: Session, func: Callable[..., Any] | str, *args: Any, **kwargs: Any) -> None:
    """Run ``func(*args, **kwargs)`` in the background once ``session`` has committed.

    Nothing runs if the transaction rolls back (or the savepoint the job was enqueued in), so a
    job never sees work that does not exist. The same call enqueued twice in one transaction
    runs once.
    """
    if not session.in_transaction():
        # Begun now, so that closing the session without a commit also forgets the job.
        session.begin()
    pending = _Pending(job_path(func), args, kwargs, session.get_nested_transaction())
    session.info.setdefault(_PENDING, []).append(pending)


def _enclosing_savepoint(transaction: SessionTransaction) -> SessionTransaction | None:
    parent = transaction.parent
    while parent is not None and not parent.nested:
        parent = parent.parent
    return parent


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    pending: list[_Pending] | None = session.info.get(_PENDING)
    if not pending:
        return
    savepoint = session.get_nested_transaction()
    if savepoint is not None:
        # SQLAlchemy also fires after_commit when a savepoint is released: the work is not
        # durable yet, so the savepoint's jobs now wait on the transaction around it.
        parent = _enclosing_savepoint(savepoint)
        for job in pending:
            if job.owner is savepoint:
                job.owner = parent
        return
    del session.info[_PENDING]
    queue = runtime_of(session).queue
    sent: set[str] = set()
    for job in pending:
        # One transaction often asks for the same job several times (a courrier changed in
        # three steps): jobs are safe to run twice, but running them once is enough.
        key = call_key(job.path, job.args, job.kwargs)
        if key in sent:
            continue
        sent.add(key)
        try:
            queue.submit(job.path, job.args, job.kwargs,
                         coalesce=is_coalesced(resolve(job.path)))
        except Exception:
            # The data is committed: raising here would report a failure for work that
            # happened, so the lost job is logged loudly instead.
            log.exception("job %s could not be queued after commit", job.path)


@event.listens_for(Session, "after_transaction_end")
def _forget_unless_committed(session: Session, transaction: SessionTransaction) -> None:
    # Runs after _dispatch_after_commit on a commit, so what is left was rolled back or the
    # session was closed without committing.
    pending: list[_Pending] | None = session.info.get(_PENDING)
    if not pending:
        return
    if transaction.parent is None:
        del session.info[_PENDING]
    elif transaction.nested:
        session.info[_PENDING] = [job for job in pending if job.owner is not transaction]


def backoff(attempt: int, base: float) -> float:
    """Seconds before attempt ``attempt + 1``: doubling from ``base``, with ±50 % jitter."""
    delay = min(base * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)
    return delay * random.uniform(0.5, 1.5)


def run_job(path: str, args: tuple[Any, ...], kwargs: dict[str, Any], attempt: int = 1) -> Any:
    """Run one job; on a transient error, schedule the next attempt instead of failing."""
    runtime = current()
    func = resolve(path)
    if attempt == 1 and is_coalesced(func):
        runtime.queue.starting(path, args, kwargs)
    try:
        return func(*args, **kwargs)
    except TransientError as exc:
        if attempt >= runtime.settings.job_max_attempts:
            log.error("job %s failed after %d attempts: %s", path, attempt, exc)
            raise
        delay = backoff(attempt, runtime.settings.job_backoff_seconds)
        log.warning("job %s attempt %d failed (%s); retrying in %.1fs", path, attempt, exc, delay)
        runtime.queue.submit(path, args, kwargs, attempt + 1, delay)
        return None


@contextmanager
def job_session() -> Iterator[Session]:
    """The session of one job: committed when the job's block ends, rolled back on error."""
    with current().session() as session:
        yield session


class LocalQueue:
    """The embedded setup's worker pool: threads in this process (OCR runs in subprocesses)."""

    def __init__(self, runtime: Runtime, workers: int) -> None:
        self.runtime = runtime
        # Tesseract is several times slower when its OpenMP threads fight over two cores.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        self._pool = ThreadPoolExecutor(max_workers=max(workers, 1), thread_name_prefix="atd-job")
        self._pending: set[Future[Any] | threading.Timer] = set()
        self._queued: set[str] = set()  # call_key of the coalesced runs not started yet
        self._lock = threading.Condition()
        self._closed = False
        # Jobs submitted while the pool shuts down (a finishing job queuing the indexing of
        # what it wrote), by path: said in one line once the running jobs have ended.
        self._dropped: Counter[str] | None = Counter()

    def submit(self, path: str, args: tuple[Any, ...], kwargs: dict[str, Any], attempt: int = 1,
               delay: float = 0.0, coalesce: bool = False) -> None:
        with self._lock:
            if self._closed:
                # Nothing persists in-process work: say what is lost rather than fail a thread.
                if self._dropped is None:
                    log.warning("job %s (attempt %d) dropped: the pool is shut down", path,
                                attempt)
                else:
                    self._dropped[path] += 1
                return
            if coalesce:
                key = call_key(path, args, kwargs)
                if key in self._queued:
                    return
                self._queued.add(key)
            if delay > 0:
                timer = threading.Timer(delay, self._fire, (path, args, kwargs, attempt))
                timer.daemon = True
                self._pending.add(timer)
                timer.start()
                return
            future = self._pool.submit(self._run, path, args, kwargs, attempt)
            self._pending.add(future)
        future.add_done_callback(lambda done: self._log_and_forget(path, done))

    def starting(self, path: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        with self._lock:
            self._queued.discard(call_key(path, args, kwargs))

    def _run(self, path: str, args: tuple[Any, ...], kwargs: dict[str, Any], attempt: int) -> Any:
        with activated(self.runtime):
            return run_job(path, args, kwargs, attempt)

    def _fire(self, path: str, args: tuple[Any, ...], kwargs: dict[str, Any], attempt: int) -> None:
        timer = threading.current_thread()  # the Timer itself, in its own thread
        # Submitted before the timer is forgotten, so wait() never sees an empty gap.
        self.submit(path, args, kwargs, attempt)
        self._forget(timer)  # type: ignore[arg-type]

    def _log_and_forget(self, path: str, future: Future[Any]) -> None:
        exc = None if future.cancelled() else future.exception()
        if exc is not None:
            log.error("job %s failed: %s", path, exc, exc_info=exc)
        self._forget(future)

    def _forget(self, item: Future[Any] | threading.Timer) -> None:
        with self._lock:
            self._pending.discard(item)
            self._lock.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every submitted job, retries included, has ended; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._pending, timeout)

    def shutdown(self) -> None:
        """Let running jobs end; retries not yet due are dropped (they live in memory only)."""
        with self._lock:
            self._closed = True
            for item in list(self._pending):
                if isinstance(item, threading.Timer):
                    item.cancel()
                    self._pending.discard(item)
            self._lock.notify_all()
        self._pool.shutdown(wait=True, cancel_futures=False)
        with self._lock:
            dropped, self._dropped = self._dropped, None
        if dropped:
            log.warning("jobs dropped while the pool shut down: %s",
                        ", ".join(f"{path} ×{count}" for path, count in sorted(dropped.items())))


class RqQueue:
    """Jobs on Redis, run by ``atd worker`` processes (which also run the retry scheduler)."""

    def __init__(self, runtime: Runtime) -> None:
        from rq import Queue

        self.queue = Queue(runtime.settings.queue_name, connection=runtime.redis)
        self.timeout = runtime.settings.job_timeout_seconds or -1  # rq's "no limit"

    def submit(self, path: str, args: tuple[Any, ...], kwargs: dict[str, Any], attempt: int = 1,
               delay: float = 0.0, coalesce: bool = False) -> None:
        if coalesce and not self.queue.connection.set(self._mark(path, args, kwargs), 1, nx=True,
                                                      ex=COALESCE_SECONDS):
            return  # a run of this call waits in Redis and will see the work
        call = (run_job, path, args, kwargs, attempt)
        if delay > 0:
            # rq's scheduler truncates due times to whole seconds, which could run a retry up
            # to a second early: one second more keeps every retry at or after its backoff.
            self.queue.enqueue_in(timedelta(seconds=math.ceil(delay) + 1), *call,
                                  job_timeout=self.timeout)
        else:
            self.queue.enqueue(*call, job_timeout=self.timeout)

    def starting(self, path: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.queue.connection.delete(self._mark(path, args, kwargs))

    def _mark(self, path: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        return f"atd:queued:{self.queue.name}:{call_key(path, args, kwargs)}"

    def shutdown(self) -> None:
        """Nothing to stop: the jobs wait in Redis for the workers."""


def make_queue(runtime: Runtime) -> JobQueue:
    if runtime.redis is not None:
        return RqQueue(runtime)
    return LocalQueue(runtime, runtime.settings.workers)


def run_worker(runtime: Runtime, burst: bool = False, preload: Iterable[str] = ()) -> None:
    """Run an rq worker on the runtime's queue, with the scheduler that delivers retries.

    Each job runs in a forked work horse that builds its own runtime from the environment, so
    no database connection crosses the fork. The ``preload`` jobs (dotted paths) are imported
    and the ORM's mappers configured here, once, so that the horses inherit them:
    redone in every horse, that took about 75 ms of CPU per job, more than the search indexing
    of thirty courriers. With ``burst``, retries already due are queued at start; later ones
    wait for a worker that stays up.
    """
    from rq import Worker

    for path in preload:
        resolve(path)
    configure_mappers()
    # Set before the fork so the scheduler, the work horses and their tesseract inherit it.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    worker = Worker([runtime.settings.queue_name], connection=runtime.redis)
    worker.work(burst=burst, with_scheduler=True)
