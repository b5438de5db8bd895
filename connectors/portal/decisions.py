"""The ministry's decision on a portal dossier, sent back to the portal through the outbox."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.errors import DecisionConflict, DossierNotFound, InvalidDecision
from connectors.portal import outbox
from connectors.portal.intake import STATE_KIND
from connectors.portal.models import DOSSIER_LABELS, PortalDossier
from core import audit, permissions
from core.db import utcnow
from core.identity import User
from courrier import service as courriers

DECISIONS = ("accepte", "refuse", "sans_suite")


def get(session: Session, user: User, dossier_id: int) -> PortalDossier:
    """The dossier, when the user may see its courrier."""
    dossier = session.get(PortalDossier, dossier_id)
    if dossier is None:
        raise DossierNotFound(f"Dossier du portail introuvable : n°{dossier_id}.")
    courriers.get(session, user, dossier.courrier_id)
    return dossier


def decide(session: Session, user: User, dossier_id: int, state: str,
           reason: str = "") -> PortalDossier:
    """Record the decision and queue it for the portal; the same decision again is a no-op.

    Raises:
        InvalidDecision: unknown decision, or a refusal without its reason.
        DecisionConflict: the dossier already carries another decision.
        PermissionDenied: the user may not treat the courrier of this dossier.
    """
    dossier = get(session, user, dossier_id)
    courrier = courriers.get(session, user, dossier.courrier_id)
    permissions.require(session, user, "traiter", courrier.holder_entity_id or courrier.entity_id)
    if state not in DECISIONS:
        raise InvalidDecision(f"Décision inconnue : « {state} » (accepte, refuse ou sans_suite).")
    reason = reason.strip()
    if state == "refuse" and not reason:
        raise InvalidDecision("Un refus doit être motivé : le demandeur le lira.")
    if dossier.state == state:
        return dossier
    if dossier.state in DECISIONS:
        raise DecisionConflict(
            f"Le dossier {dossier.number} est déjà « {DOSSIER_LABELS[dossier.state]} »."
        )
    dossier.state, dossier.decision_reason = state, reason
    dossier.decided_at, dossier.decided_by_id = utcnow(), user.id
    outbox.queue_payload(session, STATE_KIND, dossier.portal_id,
                         {"etat": state, "motif": reason, "reference": courrier.chrono})
    audit.record(session, user, "portail.dossier.decide", "portail_dossier", dossier.id,
                 courrier.entity_id, {"numero": dossier.number, "decision": state,
                                      "motif": reason, "courrier": courrier.chrono})
    return dossier


def for_courrier(session: Session, courrier_id: int) -> PortalDossier | None:
    """The portal dossier a courrier came from, if any (for the courrier's page)."""
    query = select(PortalDossier).where(PortalDossier.courrier_id == courrier_id)
    return session.scalars(query).first()


def visible_dossiers(session: Session, user: User, limit: int = 200) -> list[PortalDossier]:
    """The latest imported dossiers whose courrier the user may see."""
    from courrier.access import visible_condition
    from courrier.models import Courrier

    query = (
        select(PortalDossier)
        .join(Courrier, Courrier.id == PortalDossier.courrier_id)
        .where(visible_condition(session, user))
        .order_by(PortalDossier.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def may_watch_connector(session: Session, user: User) -> bool:
    """The connector's status page is for those who publish démarches or run the instance."""
    return any(permissions.entities_for(session, user, action)
               for action in ("gerer_demarches", "administrer", "superviser"))
