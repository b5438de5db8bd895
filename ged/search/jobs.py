"""The indexing jobs: waiting documents in batches, and one courrier; safe to run twice."""

from __future__ import annotations

import logging

from core.errors import TransientError
from core.jobs import job_session
from ged.search.service import backend_for, index_courriers
from ged.search.service import index_pending as index_batch

log = logging.getLogger(__name__)


def index_pending() -> int:
    """Index every waiting document; a failure leaves them ``a_indexer`` and retries later."""
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


def index_courrier(courrier_id: int) -> None:
    """(Re)index one courrier after the commit that registered or changed it."""
    try:
        with job_session() as session:
            index_courriers(session, backend_for(session), [courrier_id])
    except Exception as exc:  # the engine or the database went away: try again later
        log.exception("search indexing of courrier %s failed", courrier_id)
        raise TransientError(f"indexation impossible ({exc})") from exc
