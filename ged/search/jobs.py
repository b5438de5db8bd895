"""The indexing job: the waiting documents and courriers in batches; safe to run twice."""

from __future__ import annotations

import logging
import time

from core.errors import TransientError
from core.jobs import coalesced, enqueue, job_session
from ged.search import INDEX_JOB
from ged.search.service import BATCH, backend_for
from ged.search.service import index_pending as index_batch

log = logging.getLogger(__name__)

# A pass costs nearly as much for one record as for thirty. When records trickle in (the desk
# registering letters one by one), a run would pass once per record; waiting this long before
# the next pass lets it take them together, as Elasticsearch's refresh interval does.
GATHER_SECONDS = 0.25
# A stream that never pauses is split into runs of about this long: the next run goes to the
# back of the queue, so the other jobs get a worker, and no run meets the job time limit.
RUN_SECONDS = 60.0


def gather() -> None:
    time.sleep(GATHER_SECONDS)


@coalesced
def index_pending() -> int:
    """Index every waiting record; a failure leaves them ``a_indexer`` and retries later.

    The first pass starts at once, so a lone upload is searchable without delay. A later pass
    that still finds records, but not a full batch, shows a stream: the next one waits for
    ``gather`` first. A full batch is a backlog, read on without waiting. After ``RUN_SECONDS``
    the run hands what is left to a run of its own.
    """
    done, started = 0, time.monotonic()
    while True:
        try:
            with job_session() as session:
                taken = index_batch(session, backend_for(session))
                handing_over = taken > 0 and time.monotonic() - started >= RUN_SECONDS
                if handing_over:
                    enqueue(session, INDEX_JOB)
        except TransientError:
            raise
        except Exception as exc:  # the engine or the database went away: try again later
            log.exception("search indexing failed")
            raise TransientError(f"indexation impossible ({exc})") from exc
        first, done = done == 0, done + taken
        if taken == 0 or handing_over:
            return done
        if not first and taken < BATCH:
            gather()
