"""A portal dossier becomes a courrier arrivée (channel ``portail``) with its pièces in the GED.

Each dossier is imported whole or not at all: a malformed one, a pièce whose SHA-256 differs,
an unknown démarche, a file the GED refuses, and it is quarantined with the reason instead.
A dossier already imported is recognised by its portal id and never imported twice.
"""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from connectors.errors import MalformedDossier, PortalRefused
from connectors.portal import dossiers, outbox
from connectors.portal.agent import portal_agent
from connectors.portal.client import PortalClient
from connectors.portal.dossiers import DossierIn
from connectors.portal.models import PortalDossier, QuarantinedDossier
from core import audit
from core.identity import Demarche, Entity, User
from core.runtime import runtime_of
from courrier import routing, scans
from courrier import service as courriers
from courrier.correspondents import CorrespondentInput
from courrier.errors import InvalidCourrier
from courrier.models import Courrier
from ged.errors import RefusedFile
from ged.service import Upload

STATE_KIND = "dossier_etat"


def _registering_entity(entity: Entity) -> Entity:
    """A service has no mail office of its own: its dossiers are registered above it."""
    while entity.type == "service" and entity.parent is not None:
        entity = entity.parent
    return entity


def _summary(dossier: DossierIn) -> str:
    lines = [f"{key} : {value}" for key, value in dossier.fields.items()]
    contact = ", ".join(v for v in (dossier.applicant_email, dossier.applicant_phone) if v)
    if contact:
        lines.append(f"Contact : {contact}")
    return "\n".join(lines)


def register_dossier(session: Session, agent: User, demarche: Demarche, dossier: DossierIn,
                     files: list[tuple[str, bytes]]) -> Courrier:
    """The one conversion of a dossier into a routed courrier arrivée with its pièces."""
    entity = _registering_entity(demarche.entity)
    courrier = courriers.register(session, agent, courriers.Registration(
        entity_code=entity.code, direction="arrivee", channel="portail",
        subject=f"{demarche.title} — dossier {dossier.number}"[:500],
        summary=_summary(dossier), sender_reference=dossier.number[:120],
        sender=CorrespondentInput(name=dossier.applicant_name, kind="personne",
                                  email=dossier.applicant_email, phone=dossier.applicant_phone),
        received_on=dossier.deposited_on, letter_date=dossier.deposited_on,
    ))
    uploads = [Upload(name, io.BytesIO(content)) for name, content in files]
    scans.store(session, agent, courrier, uploads, "scan")
    if demarche.entity_id != entity.id:
        routing.route(session, agent, courrier.id, routing.RoutingInput(
            kind="attribution", entity_code=demarche.entity.code,
            instruction=f"Instruire le dossier {dossier.number} ({demarche.code}).",
        ))
    return courrier


def _download(client: PortalClient, dossier: DossierIn, max_bytes: int
              ) -> list[tuple[str, bytes]]:
    files = []
    for piece in dossier.pieces:
        try:
            content = client.download(piece.url, max_bytes)
        except PortalRefused as exc:
            raise MalformedDossier(f"pièce « {piece.name} » non téléchargeable : {exc}") from None
        if hashlib.sha256(content).hexdigest() != piece.sha256:
            raise MalformedDossier(
                f"pièce « {piece.name} » : l'empreinte SHA-256 ne correspond pas au fichier reçu."
            )
        files.append((piece.name, content))
    return files


def quarantine(session: Session, raw: Any, reason: str) -> bool:
    """Keep the dossier with its reason (once per distinct payload); True if it is new."""
    blob = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(blob.encode("utf-8")).hexdigest()
    if session.scalars(select(QuarantinedDossier).where(QuarantinedDossier.digest == digest)
                       ).first() is not None:
        return False
    portal_id = str(raw.get("id", ""))[:80] if isinstance(raw, dict) else ""
    session.add(QuarantinedDossier(digest=digest, portal_id=portal_id, reason=reason[:4000],
                                   payload=json.loads(blob)))
    audit.record(session, None, "portail.dossier.quarantaine", "portail_dossier", portal_id or None,
                 None, {"motif": reason}, actor_name="portail")
    return True


FINAL = ("accepte", "refuse", "sans_suite")


def _update(session: Session, known: PortalDossier, dossier: DossierIn, raw: Any) -> str:
    # A decision taken here and not yet acknowledged must not be undone by an older echo.
    if known.state == dossier.state or known.state in FINAL:
        return "connu"
    before, known.state, known.payload = known.state, dossier.state, raw
    audit.record(session, None, "portail.dossier.modifie", "portail_dossier", known.portal_id,
                 None, {"numero": known.number, "de": before, "vers": dossier.state},
                 actor_name="portail")
    return "mis_a_jour"


def _demarche(session: Session, code: str) -> Demarche:
    query = select(Demarche).where(Demarche.code == code).options(selectinload(Demarche.entity))
    demarche = session.scalars(query).first()
    if demarche is None:
        raise MalformedDossier(f"démarche inconnue du catalogue : « {code} ».")
    return demarche


def import_dossier(session: Session, raw: Any, client: PortalClient) -> str:
    """Import one dossier in the caller's transaction; returns what happened.

    Returns one of ``importe``, ``mis_a_jour``, ``connu`` or ``quarantaine``.

    Raises:
        PortalUnavailable: a pièce could not be downloaded now (nothing was written).
    """
    try:
        dossier = dossiers.parse(raw)
        known = session.scalars(
            select(PortalDossier).where(PortalDossier.portal_id == dossier.portal_id)
        ).first()
        if known is not None:
            return _update(session, known, dossier, raw)
        demarche = _demarche(session, dossier.demarche_code)
        max_bytes = runtime_of(session).settings.max_upload_mb * 1024 * 1024
        files = _download(client, dossier, max_bytes)
        with session.begin_nested():  # the courrier, its files and the link, or none of them
            courrier = register_dossier(session, portal_agent(session), demarche, dossier, files)
            session.add(PortalDossier(
                portal_id=dossier.portal_id, number=dossier.number,
                demarche_code=demarche.code, courrier_id=courrier.id, state=dossier.state,
                payload=raw,
            ))
            session.flush()
    except (MalformedDossier, RefusedFile, InvalidCourrier) as exc:
        quarantine(session, raw, str(exc))
        return "quarantaine"
    except IntegrityError:
        return "connu"  # another puller imported it at the same moment
    outbox.queue_payload(session, STATE_KIND, dossier.portal_id, {
        "etat": "en_instruction", "motif": "", "reference": courrier.chrono,
    })
    return "importe"
