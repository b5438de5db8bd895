"""Job functions the job tests enqueue: module-level and importable, as every real job is."""

from __future__ import annotations

import os
import time

from core import audit
from core.errors import TransientError
from core.jobs import coalesced, enqueue, job_session

ACTION = "test.job"


def record_event(n: int) -> None:
    """Append the event ``test.job`` numbered ``n``, noting who ran it and with what limit."""
    data = {"pid": os.getpid(), "omp_thread_limit": os.environ.get("OMP_THREAD_LIMIT")}
    with job_session() as session:
        audit.record(session, None, ACTION, "test", n, actor_name="job", data=data)


def touch(path: str) -> None:
    """Append one line to ``path``: a job observable without a database."""
    _append_time(path)


def fail_then_record(attempts_file: str, failures: int, n: int) -> None:
    """Fail with ``TransientError`` on the first ``failures`` attempts, then record event ``n``.

    Each attempt appends its time to ``attempts_file`` (shared across processes), so a test
    reads how many attempts ran and how far apart they were.
    """
    attempt = _append_time(attempts_file)
    if attempt <= failures:
        raise TransientError(f"échec voulu de la tentative {attempt}")
    record_event(n)


def crash(attempts_file: str) -> None:
    """Fail with an error that is not transient, so it must not be retried."""
    attempt = _append_time(attempts_file)
    raise ValueError(f"échec définitif de la tentative {attempt}")


def hold(started_file: str, gate: str) -> None:
    """Note the run's start in ``started_file``, then wait for the file ``gate`` to exist: the
    test keeps the run going until it has done what it tests meanwhile."""
    _append_time(started_file)
    deadline = time.monotonic() + 30
    while not os.path.exists(gate):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{gate} never appeared")
        time.sleep(0.02)


@coalesced
def take_all(started_file: str, gate: str) -> None:
    """A coalesced job, as one that takes all the waiting work is; held open like ``hold``."""
    hold(started_file, gate)


@coalesced
def take_all_events(n: int) -> None:
    """A coalesced ``record_event``."""
    record_event(n)


@coalesced
def take_all_or_fail(attempts_file: str, failures: int, n: int) -> None:
    """A coalesced ``fail_then_record``."""
    fail_then_record(attempts_file, failures, n)


def attempt_times(path: str) -> list[float]:
    try:
        with open(path, encoding="utf-8") as fh:
            return [float(line) for line in fh]
    except FileNotFoundError:
        return []


def _append_time(path: str) -> int:
    """Append the current time to ``path``; return how many lines it now holds."""
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"{time.time()}\n")
    return len(attempt_times(path))


def hold_then_queue(started_file: str, gate: str, jobs: int) -> None:
    """``hold``, then commit ``jobs`` runs of ``record_event``: work queued as a job ends."""
    hold(started_file, gate)
    with job_session() as session:
        for n in range(jobs):
            enqueue(session, record_event, n)
