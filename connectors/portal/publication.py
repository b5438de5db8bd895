"""Which démarches are on the portal, and the outbox messages that keep the portal in step.

A démarche is published on request (its page, or ``atd portal publish --all``) once complete;
from then on, every change of its content (page edit or inventory) queues a new version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from connectors.errors import IncompleteDemarche
from connectors.portal import outbox
from connectors.portal.contract import content_hash, demarche_payload, missing_for_publication
from connectors.portal.models import OutboxMessage, Publication
from core.db import utcnow
from core.identity import Demarche, ministry

KIND = "demarche"


def publication_of(session: Session, demarche: Demarche) -> Publication | None:
    return session.get(Publication, demarche.id)


def _queue(session: Session, demarche: Demarche, publication: Publication
           ) -> OutboxMessage | None:
    payload = demarche_payload(demarche, ministry(session))
    message = outbox.queue(session, KIND, demarche.code, payload, content_hash(payload),
                           demarche.version, publication.published_hash)
    if message is not None:
        publication.status = "a_publier"
    elif publication.published_hash == content_hash(payload) and publication.status != "echec":
        publication.status = "publiee"
    return message


def publish(session: Session, demarche: Demarche) -> OutboxMessage | None:
    """Put the démarche on the portal (or bring the portal up to date); None if it already is.

    Raises:
        IncompleteDemarche: pièces, étapes or delay are missing (the message lists them).
    """
    missing = missing_for_publication(demarche)
    if missing and demarche.active:
        raise IncompleteDemarche(
            f"La démarche {demarche.code} ne peut pas être publiée : il manque "
            + ", ".join(missing) + ".", missing,
        )
    publication = publication_of(session, demarche)
    if publication is None:
        publication = Publication(demarche_id=demarche.id, enabled=True, status="a_publier",
                                  last_error="")
        session.add(publication)
    publication.enabled = True
    return _queue(session, demarche, publication)


def demarches_changed(session: Session, codes: Iterable[str]) -> int:
    """Queue the new content of the published démarches among ``codes``; returns how many.

    The hook the catalogue edit and the onboarding call in their own transaction. A published
    démarche made incomplete keeps its last version on the portal until it is complete again.
    """
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return 0
    rows = session.execute(
        select(Demarche, Publication)
        .join(Publication, Publication.demarche_id == Demarche.id)
        .where(Demarche.code.in_(wanted), Publication.enabled.is_(True))
        .options(selectinload(Demarche.entity))
    ).all()
    queued = 0
    for demarche, publication in rows:
        if demarche.active and missing_for_publication(demarche):
            publication.last_error = "Modifications non publiées : la démarche est incomplète."
            continue
        queued += _queue(session, demarche, publication) is not None
    return queued


@dataclass
class PublishSummary:
    queued: list[str] = field(default_factory=list)
    unchanged: int = 0
    incomplete: dict[str, list[str]] = field(default_factory=dict)


def publish_all(session: Session) -> PublishSummary:
    """Publish every active démarche that is complete; report those that are not."""
    summary = PublishSummary()
    query = select(Demarche).where(Demarche.active.is_(True)).order_by(Demarche.code)
    for demarche in session.scalars(query.options(selectinload(Demarche.entity))):
        missing = missing_for_publication(demarche)
        if missing:
            summary.incomplete[demarche.code] = missing
        elif publish(session, demarche) is not None:
            summary.queued.append(demarche.code)
        else:
            summary.unchanged += 1
    return summary


def record_outcome(session: Session, message: OutboxMessage, error: str = "",
                   dead: bool = False) -> None:
    """Mirror a démarche message's outcome on its publication, for the pages."""
    if message.kind != KIND:
        return
    demarche = session.scalars(select(Demarche).where(Demarche.code == message.key)).first()
    publication = publication_of(session, demarche) if demarche is not None else None
    if publication is None:
        return
    if message.status == "envoye":
        if (publication.published_version or 0) <= message.version:
            publication.published_version = message.version
            publication.published_hash = message.content_hash
            publication.published_at = message.sent_at or utcnow()
        live = outbox.live_message(session, KIND, message.key)
        publication.status = "a_publier" if live is not None else "publiee"
        publication.last_error = ""
    else:
        publication.last_error = error
        if dead:
            publication.status = "echec"


@dataclass(frozen=True)
class PublicationState:
    """What a démarche's page says of its publication."""

    status: str  # non_publiee | a_publier | publiee | echec
    version: int | None = None
    published_at: object = None
    error: str = ""
    attempts: int = 0
    next_attempt_at: object = None


def states_of(session: Session, demarches: list[Demarche]) -> dict[int, PublicationState]:
    """The publication state of each démarche, in two queries whatever their number."""
    ids = [d.id for d in demarches]
    publications = {
        p.demarche_id: p
        for p in session.scalars(select(Publication).where(Publication.demarche_id.in_(ids)))
    }
    live: dict[str, OutboxMessage] = {}
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.kind == KIND, OutboxMessage.key.in_([d.code for d in demarches]),
               OutboxMessage.status.in_(outbox.LIVE))
        .order_by(OutboxMessage.id)
    )
    for message in session.scalars(query):
        live[message.key] = message  # the latest wins
    return {d.id: _state(publications.get(d.id), live.get(d.code)) for d in demarches}


def _state(publication: Publication | None, live: OutboxMessage | None) -> PublicationState:
    if publication is None or not publication.enabled:
        return PublicationState("non_publiee")
    status = publication.status
    if live is not None:
        status = "echec" if live.status == "echec" else "a_publier"
    return PublicationState(
        status, publication.published_version, publication.published_at,
        (live.last_error if live is not None else "") or publication.last_error,
        live.attempts if live is not None else 0,
        live.next_attempt_at if live is not None and live.status == "a_envoyer" else None,
    )


def state_of(session: Session, demarche: Demarche) -> PublicationState:
    return states_of(session, [demarche])[demarche.id]
