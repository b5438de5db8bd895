"""The lifecycle actions by name, for the pages and the API, and which ones a user is offered."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from core import permissions
from core.identity import User
from courrier import access, replies, service, workflow
from courrier.errors import InvalidCourrier
from courrier.models import Courrier

# Routing, opinions and replies have their own forms; the machine moves on its own after
# the last opinion.
PERFORMABLE = (
    "prendre_en_charge", "classer_sans_suite", "clore", "annuler", "rouvrir",
    "demander_visa", "demander_signature", "viser", "renvoyer", "signer", "envoyer",
)
# Actions whose note is required (the reason is kept in the history and the register).
NOTE_REQUIRED = frozenset({"classer_sans_suite", "annuler", "rouvrir", "renvoyer"})

Performer = Callable[[Session, User, int, str, tuple[int, ...]], Courrier]
_PERFORMERS: dict[str, Performer] = {
    "prendre_en_charge": lambda s, u, i, note, docs: service.take_charge(s, u, i),
    "classer_sans_suite": lambda s, u, i, note, docs: service.file_without_reply(s, u, i, note),
    "clore": lambda s, u, i, note, docs: service.close(s, u, i, note),
    "annuler": lambda s, u, i, note, docs: service.cancel(s, u, i, note),
    "rouvrir": lambda s, u, i, note, docs: service.reopen(s, u, i, note),
    "demander_visa": lambda s, u, i, note, docs: replies.submit(s, u, i, "visa"),
    "demander_signature": lambda s, u, i, note, docs: replies.submit(s, u, i, "signature"),
    "viser": lambda s, u, i, note, docs: replies.visa(s, u, i, note),
    "renvoyer": lambda s, u, i, note, docs: replies.send_back(s, u, i, note),
    "signer": lambda s, u, i, note, docs: replies.sign(s, u, i, docs),
    "envoyer": lambda s, u, i, note, docs: replies.send(s, u, i, docs),
}
assert set(_PERFORMERS) == set(PERFORMABLE)


def perform(session: Session, actor: User, courrier_id: int, action: str, note: str = "",
            document_ids: tuple[int, ...] = ()) -> Courrier:
    """Run the named action on the courrier (each one checks its own permissions)."""
    performer = _PERFORMERS.get(action)
    if performer is None:
        raise InvalidCourrier(f"Action inconnue : « {action} ».")
    return performer(session, actor, courrier_id, note, document_ids)


def _may(grants: permissions.Grants, action: str, courrier: Courrier) -> bool:
    """Whether the page should offer the action (the service still decides)."""
    holder = access.is_holder(grants, courrier)
    head = access.is_head(grants, courrier)
    if action in ("prendre_en_charge", "demander_visa", "demander_signature"):
        return holder
    if action in ("classer_sans_suite", "clore"):
        return holder or head
    if action == "annuler":
        return grants.may("enregistrer_courrier", courrier.entity_id)
    if action == "rouvrir":
        return head
    if action == "viser" or (action == "renvoyer" and courrier.status == "en_visa"):
        return access.is_head(grants, courrier, "viser")
    if action in ("signer", "renvoyer"):
        return grants.may("signer", courrier.entity_id)
    if action == "envoyer":
        return holder or grants.may("enregistrer_courrier", courrier.entity_id)
    return False


def offered(grants: permissions.Grants, courrier: Courrier) -> list[str]:
    """The actions of ``PERFORMABLE`` the status allows and the user may do."""
    allowed = workflow.allowed_actions(courrier.direction, courrier.status)
    return [a for a in PERFORMABLE if a in allowed and _may(grants, a, courrier)]


def may_route(grants: permissions.Grants, courrier: Courrier) -> bool:
    if courrier.direction == "depart" or courrier.status in workflow.FINAL:
        return False
    return any(grants.may("imputer", e)
               for e in (courrier.entity_id, courrier.holder_entity_id) if e is not None)


def may_reply(grants: permissions.Grants, courrier: Courrier) -> bool:
    if courrier.direction == "depart" or courrier.status not in workflow.TREATING:
        return False
    return access.is_holder(grants, courrier) or access.is_head(grants, courrier)
