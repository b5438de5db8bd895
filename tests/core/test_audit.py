"""The event log is a hash chain: any edited or deleted event is found, by API and CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Table, delete, text, update
from sqlalchemy.orm import Session

from core import audit
from core.audit import Event
from tests.conftest import atd_runner

EVENTS = Event.__table__
assert isinstance(EVENTS, Table)


def record_three(session: Session) -> list[Event]:
    """Events 1, 2 and 3: a registration, a routing and a closure of courrier 42."""
    events = [
        audit.record(session, None, action, "courrier", 42, data=data, actor_name="test")
        for action, data in (
            ("courrier.enregistre", {"objet": "Demande de raccordement", "pages": 3}),
            ("courrier.impute", {"service": "CEET-COM", "instruction": "attribution"}),
            ("courrier.cloture", {}),
        )
    ]
    session.flush()
    return events


TAMPERINGS: dict[str, tuple[Callable[[], Any], int, str]] = {
    "edited data": (
        lambda: update(EVENTS).where(EVENTS.c.seq == 2).values(data={"service": "ARSE"}),
        2,
        "contenu modifié",
    ),
    "deleted middle event": (lambda: delete(EVENTS).where(EVENTS.c.seq == 2), 2, "manquant"),
    "deleted last event": (lambda: delete(EVENTS).where(EVENTS.c.seq == 3), 3, "supprimés"),
}


def test_recorded_events_are_chained_and_verify(db_session):
    events = record_three(db_session)
    assert [event.seq for event in events] == [1, 2, 3]
    assert events[0].prev_hash == audit.GENESIS
    assert [event.prev_hash for event in events[1:]] == [event.hash for event in events[:2]]
    assert audit.verify(db_session) == audit.VerifyResult(ok=True, checked=3)


def test_verify_on_an_empty_log_is_ok(db_session):
    assert audit.verify(db_session).ok


@pytest.mark.parametrize("tampering", TAMPERINGS, ids=list(TAMPERINGS))
def test_verify_names_the_first_broken_event(db_session, tampering):
    """GIVEN three events, still held by this session WHEN one row is changed behind the ORM's
    back THEN verify reads what the database holds and names the first broken event."""
    statement, broken_seq, reason = TAMPERINGS[tampering]
    events = record_three(db_session)
    db_session.execute(statement())
    result = audit.verify(db_session)
    assert not result.ok
    assert result.broken_seq == events[broken_seq - 1].seq
    assert reason in result.reason


def test_event_edited_with_its_hash_recomputed_breaks_the_chain_at_the_next(db_session):
    """GIVEN an event whose data is edited and whose own hash is recomputed to match
    THEN verify still fails, at the next event, whose stored link no longer matches."""
    events = record_three(db_session)
    forged = events[1]
    forged.data = {"service": "ARSE"}
    forged.hash = audit.digest(forged)
    db_session.flush()
    result = audit.verify(db_session)
    assert (result.ok, result.broken_seq, result.reason) == (False, 3, "chaînage rompu")


def test_session_kept_across_commits_appends_after_events_added_since(make_runtime):
    """GIVEN a session that recorded and committed WHEN another session appends and the first
    records again THEN the sequence continues (the head is re-read, not remembered)."""
    runtime = make_runtime()
    first = runtime.sessions()
    try:
        audit.record(first, None, "test.un", "test", actor_name="test")
        first.commit()
        with runtime.session() as other:
            audit.record(other, None, "test.deux", "test", actor_name="test")
        third = audit.record(first, None, "test.trois", "test", actor_name="test")
        first.commit()
    finally:
        first.close()
    assert third.seq == 3
    with runtime.session() as session:
        assert audit.verify(session).ok


# -- ``atd audit verify`` -------------------------------------------------------------------


def atd(tmp_path, database_url: str, *args: str) -> Any:
    return atd_runner(tmp_path, database_url)(*args)


@pytest.fixture
def committed_log(make_runtime, fresh_database_url) -> str:
    """A fresh database holding three committed events; its URL."""
    with make_runtime().session() as session:
        record_three(session)
    return fresh_database_url


def test_cli_verify_exits_zero_on_an_intact_log(tmp_path, committed_log):
    result = atd(tmp_path, committed_log, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "3 événements vérifiés" in result.output


@pytest.mark.parametrize(
    ("tampering", "broken_seq"),
    [
        ("UPDATE event SET actor = 'intrus' WHERE seq = 2", 2),
        ("DELETE FROM event WHERE seq = 2", 2),
        ("DELETE FROM event WHERE seq = 3", 3),
    ],
    ids=["edited", "middle deleted", "last deleted"],
)
def test_cli_verify_fails_naming_the_tampered_event(tmp_path, make_runtime, committed_log,
                                                    tampering, broken_seq):
    with make_runtime().engine.begin() as conn:
        conn.execute(text(tampering))
    result = atd(tmp_path, committed_log, "audit", "verify")
    assert result.exit_code != 0
    assert f"événement n°{broken_seq} " in result.output
    assert len(result.output.strip().splitlines()) == 1
