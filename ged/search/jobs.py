"""The indexing job: the waiting documents and courriers in batches; safe to run twice."""

from __future__ import annotations

import logging

from core.errors import TransientError
from core.jobs import coalesced, job_session
from ged.search.service import backend_for
from ged.search.service import index_pending as index_batch

log = logging.getLogger(__name__)


@coalesced
def index_pending() -> int:
    """Index every waiting record; a failure leaves them ``a_indexer`` and retries later."""
    done = 0
    while True:
        try:
            with job_session() as session:
                taken = index_batch(session, backend_for(session))
        except TransientError:
            raise
        except Exception as exc:  # the engine or the database went away: try again later
            log.exception("search indexing failed")
            raise TransientError(f"indexation impossible ({exc})") from exc
        done += taken
        if taken == 0:
            return done
