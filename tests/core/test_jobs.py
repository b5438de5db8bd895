"""Jobs run only after their transaction commits, in the in-process pool or a real rq worker,
and transient failures are retried with backoff."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from sqlalchemy import select

from core.audit import Event
from core.jobs import MAX_BACKOFF_SECONDS, LocalQueue, backoff, enqueue, job_path
from core.runtime import Runtime
from core.settings import env_name
from tests.core.job_fixtures import (
    ACTION,
    attempt_times,
    crash,
    fail_then_record,
    hold,
    hold_then_queue,
    record_event,
    take_all,
    take_all_events,
    take_all_or_fail,
    touch,
)

REPO = Path(__file__).resolve().parents[2]
ATD = str(Path(sys.executable).with_name("atd"))
BACKOFF = 0.2  # seconds: small, so retries come quickly, yet measurable
TIMEOUT = 30.0


class Boom(Exception):
    """Raised by a test to roll its transaction back."""


def recorded(runtime: Runtime) -> list[Event]:
    query = select(Event).where(Event.action == ACTION).order_by(Event.seq)
    with runtime.session() as session:
        return list(session.scalars(query))


def local_queue(runtime: Runtime) -> LocalQueue:
    queue = runtime.queue
    assert isinstance(queue, LocalQueue)
    return queue


def settle(runtime: Runtime) -> None:
    """Wait for the in-process pool to finish everything submitted so far, retries included."""
    assert local_queue(runtime).wait(TIMEOUT), "jobs still running after the timeout"


def wait_until(condition: Callable[[], object], explain: Callable[[], str] = str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not reached within {TIMEOUT:.0f} s\n{explain()}")
        time.sleep(0.1)


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]


def assert_backed_off(times: list[float]) -> None:
    """Each retry came no sooner than its backoff allows (the lowest jitter, 0.5)."""
    for attempt, gap in enumerate(gaps(times), start=1):
        assert gap >= 0.5 * BACKOFF * 2 ** (attempt - 1) * 0.95, (attempt, gaps(times))


# -- enqueue after commit -------------------------------------------------------------------


def test_job_enqueued_in_committed_transaction_runs_after_commit(make_runtime):
    runtime = make_runtime()
    with runtime.session() as session:
        enqueue(session, record_event, 1)
    settle(runtime)
    assert [event.object_id for event in recorded(runtime)] == ["1"]


def test_same_job_enqueued_twice_in_one_transaction_runs_once(make_runtime):
    runtime = make_runtime()
    with runtime.session() as session:
        enqueue(session, record_event, 1)
        enqueue(session, record_event, 1)
        enqueue(session, record_event, 2)
    settle(runtime)
    assert sorted(event.object_id for event in recorded(runtime)) == ["1", "2"]


def test_job_enqueued_in_rolled_back_transaction_never_runs(make_runtime):
    runtime = make_runtime()
    with pytest.raises(Boom), runtime.session() as session:
        enqueue(session, record_event, 1)
        raise Boom
    settle(runtime)
    assert recorded(runtime) == []


def test_job_enqueued_in_released_savepoint_waits_for_the_outer_commit(make_runtime, tmp_path):
    """GIVEN a job enqueued inside a savepoint WHEN the savepoint is released THEN the job
    does not run until the transaction around it commits."""
    runtime, marker = make_runtime(), tmp_path / "ran"
    with runtime.session() as session:
        with session.begin_nested():
            enqueue(session, touch, str(marker))
        settle(runtime)
        assert not marker.exists()
    settle(runtime)
    assert marker.exists()


def test_job_enqueued_in_released_savepoint_never_runs_if_outer_rolls_back(make_runtime, tmp_path):
    runtime, marker = make_runtime(), tmp_path / "ran"
    with pytest.raises(Boom), runtime.session() as session:
        with session.begin_nested():
            enqueue(session, touch, str(marker))
        raise Boom
    settle(runtime)
    assert not marker.exists()


def test_rolled_back_savepoint_drops_only_its_own_jobs(make_runtime, tmp_path):
    runtime, kept, dropped = make_runtime(), tmp_path / "kept", tmp_path / "dropped"
    with runtime.session() as session:
        enqueue(session, touch, str(kept))
        savepoint = session.begin_nested()
        enqueue(session, touch, str(dropped))
        savepoint.rollback()
    settle(runtime)
    assert kept.exists()
    assert not dropped.exists()


def test_session_closed_without_commit_forgets_its_jobs(make_runtime, tmp_path):
    """GIVEN a job enqueued on a session closed without commit WHEN the same session later
    commits other work THEN the forgotten job does not run."""
    runtime, marker = make_runtime(), tmp_path / "ran"
    session = runtime.sessions()
    enqueue(session, touch, str(marker))
    session.close()
    session.commit()
    session.close()
    settle(runtime)
    assert not marker.exists()


def test_enqueue_refuses_a_function_a_worker_could_not_import(make_runtime):
    def local_job() -> None: ...

    with pytest.raises(ValueError, match="module-level"), make_runtime().session() as session:
        enqueue(session, local_job)


# -- the in-process pool --------------------------------------------------------------------


def test_backoff_doubles_from_base_with_jitter_and_is_capped():
    for attempt in (1, 2, 3, 4):
        nominal = 2.0 * 2 ** (attempt - 1)
        assert all(0.5 * nominal <= backoff(attempt, 2.0) <= 1.5 * nominal for _ in range(50))
    assert backoff(40, 2.0) <= 1.5 * MAX_BACKOFF_SECONDS
    assert len({backoff(1, 2.0) for _ in range(10)}) > 1  # jittered, so retries spread out


def test_local_pool_retries_transient_error_with_backoff_until_it_succeeds(make_runtime, tmp_path):
    runtime, attempts = make_runtime(job_backoff_seconds=BACKOFF), tmp_path / "attempts"
    with runtime.session() as session:
        enqueue(session, fail_then_record, str(attempts), 2, 5)
    settle(runtime)
    assert [event.object_id for event in recorded(runtime)] == ["5"]
    times = attempt_times(str(attempts))
    assert len(times) == 3
    assert_backed_off(times)


def test_local_pool_gives_up_after_max_attempts(make_runtime, tmp_path, caplog):
    runtime = make_runtime(job_backoff_seconds=0.01, job_max_attempts=3)
    attempts = tmp_path / "attempts"
    with runtime.session() as session:
        enqueue(session, fail_then_record, str(attempts), 99, 5)
    with caplog.at_level(logging.ERROR, logger="core.jobs"):
        settle(runtime)
    assert len(attempt_times(str(attempts))) == 3
    assert recorded(runtime) == []
    assert "failed after 3 attempts" in caplog.text


def test_local_pool_does_not_retry_errors_that_are_not_transient(make_runtime, tmp_path):
    runtime, attempts = make_runtime(job_backoff_seconds=0.01), tmp_path / "attempts"
    with runtime.session() as session:
        enqueue(session, crash, str(attempts))
    settle(runtime)
    assert len(attempt_times(str(attempts))) == 1


def test_local_pool_shutdown_drops_retries_not_yet_due(make_runtime, tmp_path):
    runtime, attempts = make_runtime(job_backoff_seconds=60), tmp_path / "attempts"
    with runtime.session() as session:
        enqueue(session, fail_then_record, str(attempts), 1, 5)
    wait_until(lambda: attempt_times(str(attempts)))
    runtime.close()
    assert local_queue(runtime).wait(0)
    assert len(attempt_times(str(attempts))) == 1


def test_local_pool_shutdown_says_in_one_line_what_it_dropped(make_runtime, tmp_path, caplog):
    """GIVEN a running job that queues three more as it ends WHEN the pool shuts down meanwhile
    THEN the three are dropped, said in one warning with their count, not one line each."""
    runtime, started, gate = make_runtime(), tmp_path / "started", tmp_path / "gate"
    commit_job(runtime, hold_then_queue, str(started), str(gate), 3)
    wait_until(lambda: attempt_times(str(started)))
    queue = local_queue(runtime)
    closing = threading.Thread(target=runtime.close)
    closing.start()
    wait_until(lambda: queue._closed)  # the shutdown has begun: what is queued now is dropped
    gate.touch()
    closing.join(TIMEOUT)
    said = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert said == [f"jobs dropped while the pool shut down: {job_path(record_event)} ×3"]


# -- coalesced jobs --------------------------------------------------------------------------


def commit_job(runtime: Runtime, func: Callable[..., object], *args: object) -> None:
    with runtime.session() as session:
        enqueue(session, func, *args)


def test_coalesced_job_committed_while_its_run_waits_runs_once(make_runtime, tmp_path):
    """GIVEN the pool's one worker busy WHEN a coalesced job is committed three times
    THEN it runs once, after the busy job: that one run sees the three commits' work."""
    runtime = make_runtime(workers=1)
    busy, runs, gate = tmp_path / "busy", tmp_path / "runs", tmp_path / "gate"
    commit_job(runtime, hold, str(busy), str(gate))
    wait_until(lambda: attempt_times(str(busy)))
    for _ in range(3):
        commit_job(runtime, take_all, str(runs), str(gate))
    gate.touch()
    settle(runtime)
    assert len(attempt_times(str(runs))) == 1


def test_coalesced_job_committed_after_its_run_started_runs_again(make_runtime, tmp_path):
    """GIVEN a coalesced job's run started WHEN the job is committed twice more
    THEN one more run follows: work committed after a run started is not lost."""
    runtime = make_runtime(workers=1)
    runs, gate = tmp_path / "runs", tmp_path / "gate"
    commit_job(runtime, take_all, str(runs), str(gate))
    wait_until(lambda: attempt_times(str(runs)))
    commit_job(runtime, take_all, str(runs), str(gate))
    commit_job(runtime, take_all, str(runs), str(gate))
    gate.touch()
    settle(runtime)
    assert len(attempt_times(str(runs))) == 2


def test_retries_of_a_coalesced_job_run_and_leave_nothing_marked(make_runtime, tmp_path):
    """GIVEN a coalesced job failing transiently twice WHEN the pool runs it THEN its retries
    run with their backoff, and a commit after them queues a run of its own."""
    runtime, attempts = make_runtime(job_backoff_seconds=BACKOFF), tmp_path / "attempts"
    commit_job(runtime, take_all_or_fail, str(attempts), 2, 5)
    settle(runtime)
    times = attempt_times(str(attempts))
    assert len(times) == 3
    assert_backed_off(times)
    commit_job(runtime, take_all_or_fail, str(attempts), 2, 5)
    settle(runtime)
    assert [event.object_id for event in recorded(runtime)] == ["5", "5"]


# -- Redis and a real ``atd worker`` ---------------------------------------------------------


@pytest.fixture
def rq_runtime(make_runtime, redis_url) -> Runtime:
    """A runtime on the fresh database and Redis, with a queue of this test's own."""
    return make_runtime(
        redis_url=redis_url,
        queue_name=f"atd-test-{uuid.uuid4().hex[:8]}",
        job_backoff_seconds=BACKOFF,
        job_max_attempts=3,
    )


def worker_env(runtime: Runtime, tmp_path: Path) -> dict[str, str]:
    """The worker's environment: the runtime's settings, and nothing inherited that matters."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ATD_") and key != "OMP_THREAD_LIMIT"
    }
    settings = runtime.settings
    for key in ("database_url", "redis_url", "queue_name", "job_backoff_seconds",
                "job_max_attempts", "job_timeout_seconds"):
        env[env_name(key)] = str(getattr(settings, key))
    env["ATD_INSTANCE_DIR"] = str(tmp_path / "worker-instance")
    # So that the work horse imports tests.core.job_fixtures.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return env


@contextmanager
def atd_worker(env: dict[str, str], cwd: Path) -> Iterator[Callable[[], str]]:
    """Run ``atd worker`` while the block runs; yields a function returning its output."""
    log_path = cwd / "worker.log"
    with open(log_path, "wb") as log:
        # Its own process group, so the scheduler and work horses it forks can be killed too.
        proc = subprocess.Popen([ATD, "worker"], env=env, cwd=cwd, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield lambda: log_path.read_text(encoding="utf-8", errors="replace")
    finally:
        proc.terminate()  # warm shutdown: rq stops its scheduler as well
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.mark.redis
def test_committed_job_goes_to_redis_and_rolled_back_one_does_not(rq_runtime):
    queue = Queue(rq_runtime.settings.queue_name, connection=rq_runtime.redis)
    with pytest.raises(Boom), rq_runtime.session() as session:
        enqueue(session, record_event, 1)
        raise Boom
    assert queue.count == 0
    with rq_runtime.session() as session:
        enqueue(session, record_event, 2)
    assert queue.count == 1


@pytest.mark.redis
def test_atd_worker_runs_the_job_with_one_omp_thread(rq_runtime, tmp_path):
    with atd_worker(worker_env(rq_runtime, tmp_path), tmp_path) as output:
        with rq_runtime.session() as session:
            enqueue(session, record_event, 7)
        wait_until(lambda: recorded(rq_runtime), output)
    [event] = recorded(rq_runtime)
    assert event.object_id == "7"
    assert event.data["pid"] != os.getpid()
    assert event.data["omp_thread_limit"] == "1"


@pytest.mark.redis
@pytest.mark.parametrize("job", [fail_then_record, take_all_or_fail])
def test_atd_worker_retries_transient_error_through_the_scheduler(rq_runtime, tmp_path, job):
    """GIVEN a job (coalesced or not) failing transiently twice WHEN a real worker runs it
    THEN the scheduler delivers the delayed retries and the third attempt records its event."""
    attempts = tmp_path / "attempts"
    with atd_worker(worker_env(rq_runtime, tmp_path), tmp_path) as output:
        with rq_runtime.session() as session:
            enqueue(session, job, str(attempts), 2, 8)
        wait_until(lambda: recorded(rq_runtime), output)
    assert [event.object_id for event in recorded(rq_runtime)] == ["8"]
    times = attempt_times(str(attempts))
    assert len(times) == 3
    assert_backed_off(times)
    scheduled = ScheduledJobRegistry(rq_runtime.settings.queue_name, connection=rq_runtime.redis)
    assert scheduled.count == 0


@pytest.mark.redis
def test_coalesced_job_waits_once_in_redis_until_a_worker_starts_it(rq_runtime, tmp_path):
    """GIVEN no worker WHEN a coalesced job is committed three times THEN Redis holds one run;
    a worker runs it once, and a commit after that run started queues the next one."""
    name = rq_runtime.settings.queue_name
    queue = Queue(name, connection=rq_runtime.redis)
    for _ in range(3):
        commit_job(rq_runtime, take_all_events, 3)
    assert queue.count == 1
    with atd_worker(worker_env(rq_runtime, tmp_path), tmp_path) as output:
        wait_until(lambda: recorded(rq_runtime), output)
        commit_job(rq_runtime, take_all_events, 3)
        wait_until(lambda: len(recorded(rq_runtime)) == 2, output)
    assert [event.object_id for event in recorded(rq_runtime)] == ["3", "3"]
    assert rq_runtime.redis.keys(f"atd:queued:{name}:*") == []


@pytest.mark.redis
def test_atd_worker_gives_up_after_max_attempts(rq_runtime, tmp_path):
    attempts = tmp_path / "attempts"
    failed = FailedJobRegistry(rq_runtime.settings.queue_name, connection=rq_runtime.redis)
    with atd_worker(worker_env(rq_runtime, tmp_path), tmp_path) as output:
        with rq_runtime.session() as session:
            enqueue(session, fail_then_record, str(attempts), 99, 9)
        wait_until(lambda: failed.count == 1, output)
    assert len(attempt_times(str(attempts))) == 3
    assert recorded(rq_runtime) == []


@pytest.mark.redis
@pytest.mark.parametrize(("seconds", "rq_timeout"), [(7200, 7200), (0, -1)])
def test_jobs_wait_in_redis_with_the_configured_time_limit(make_runtime, redis_url, seconds,
                                                            rq_timeout):
    runtime = make_runtime(redis_url=redis_url, queue_name=f"atd-test-{uuid.uuid4().hex[:8]}",
                           job_timeout_seconds=seconds)
    commit_job(runtime, record_event, 1)
    [job] = Queue(runtime.settings.queue_name, connection=runtime.redis).jobs
    assert job.timeout == rq_timeout  # -1: rq's "no limit"


@pytest.mark.redis
def test_atd_worker_stops_a_job_past_its_time_limit(make_runtime, redis_url, tmp_path):
    """GIVEN a one-second limit WHEN a job runs on THEN the worker stops it and files it failed."""
    runtime = make_runtime(redis_url=redis_url, queue_name=f"atd-test-{uuid.uuid4().hex[:8]}",
                           job_timeout_seconds=1)
    started = tmp_path / "started"
    failed = FailedJobRegistry(runtime.settings.queue_name, connection=runtime.redis)
    with atd_worker(worker_env(runtime, tmp_path), tmp_path) as output:
        commit_job(runtime, hold, str(started), str(tmp_path / "never"))
        wait_until(lambda: failed.count == 1, output)
    [job_id] = failed.get_job_ids()
    result = Job.fetch(job_id, connection=runtime.redis).latest_result()
    assert result is not None and "exceeded maximum timeout value (1 seconds)" in str(
        result.exc_string)
    assert len(attempt_times(str(started))) == 1


def test_atd_worker_refuses_to_start_without_redis(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("ATD_")}
    result = subprocess.run([ATD, "worker"], env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=TIMEOUT)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "ATD_REDIS_URL" in lines[0], result.stderr
    assert list(tmp_path.iterdir()) == []  # refused before writing anything
