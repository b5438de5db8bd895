"""The inboxes (corbeilles) with their counts, and the search with filters, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, text
from sqlalchemy.orm import Session, joinedload

from core import permissions
from core.identity import User, entity_by_code
from courrier import access, workflow
from courrier.correspondents import normalise
from courrier.errors import InvalidCourrier
from courrier.models import Correspondent, Courrier, Imputation
from courrier.service import today

INBOXES = {
    "a_imputer": "À imputer",
    "a_traiter": "À traiter",
    "avis": "Avis demandés",
    "en_retard": "En retard",
    "en_copie": "En copie",
    "traites": "Traités",
}
DONE = ("repondu", "traite_sans_suite", "envoye", "clos")
OPEN = tuple(workflow.OPEN_INCOMING | {"en_preparation", "en_visa", "en_signature", "signe"})
PER_PAGE = 50


@dataclass
class Scope:
    """What one user may do where, computed once per request."""

    user: User
    visible: ColumnElement[bool]
    routes: set[int]
    heads: set[int]
    signs: set[int]


def scope_for(session: Session, user: User) -> Scope:
    grants = permissions.grants(session, user)
    return Scope(
        user=user,
        visible=access.visible_condition(session, user, grants),
        routes=grants.entities_for("imputer"),
        heads=grants.entities_for("viser"),
        signs=grants.entities_for("signer"),
    )


def _routed_to_me(scope: Scope, kind: str, pending_only: bool) -> ColumnElement[bool]:
    """Routed to the user by name, or to the user's own service without a name."""
    user = scope.user
    conditions = [
        Imputation.courrier_id == Courrier.id,
        Imputation.kind == kind,
        or_(
            Imputation.user_id == user.id,
            and_(Imputation.user_id.is_(None), Imputation.entity_id == user.entity_id),
        ),
    ]
    if pending_only:
        conditions.append(Imputation.active.is_(True))
    return exists().where(*conditions)


def inbox_condition(scope: Scope, name: str) -> ColumnElement[bool]:
    """The filter of one inbox (before the visibility filter)."""
    me = scope.user.id
    if name == "a_imputer":
        return or_(
            and_(Courrier.status == "enregistre", Courrier.entity_id.in_(scope.routes)),
            # Routed to a service and not yet to one of its agents: for its head to dispatch.
            and_(Courrier.status == "impute", Courrier.holder_id.is_(None),
                 Courrier.holder_entity_id.in_(scope.heads)),
        )
    if name == "a_traiter":
        return or_(
            and_(Courrier.holder_id == me,
                 Courrier.status.in_(tuple(workflow.TREATING) + ("en_preparation", "signe"))),
            and_(Courrier.status == "en_visa", Courrier.holder_entity_id.in_(scope.heads)),
            and_(Courrier.status == "en_signature", Courrier.entity_id.in_(scope.signs)),
        )
    if name == "avis":
        return and_(Courrier.status.notin_(workflow.FINAL), _routed_to_me(scope, "avis", True))
    if name == "en_retard":
        return and_(
            Courrier.status.in_(workflow.OPEN_INCOMING),
            Courrier.due_on < today(),
            or_(Courrier.holder_id == me, Courrier.entity_id.in_(scope.routes),
                Courrier.holder_entity_id.in_(scope.heads)),
        )
    if name == "en_copie":
        return _routed_to_me(scope, "copie", False)
    if name == "traites":
        return and_(Courrier.status.in_(DONE),
                    or_(Courrier.holder_id == me, Courrier.entity_id.in_(scope.routes)))
    raise InvalidCourrier(f"Corbeille inconnue : {name}.")


# Past this many courriers a list's total says "more than": counting 100,000 rows through the
# visibility filter costs more than the page itself, and nobody pages that far.
COUNT_LIMIT = 10_000


@dataclass
class Page:
    items: list[Courrier]
    total: int
    page: int
    per_page: int
    total_exact: bool = True  # False: there are more than ``total`` (COUNT_LIMIT)

    @property
    def pages(self) -> int:
        known = max(1, -(-self.total // self.per_page))
        if self.total_exact:
            return known
        # Past the counted total: a full page may have a next one, a short page is the last.
        return max(known, self.page + 1 if len(self.items) == self.per_page else self.page)


def _without_jit(session: Session) -> None:
    # The visibility filter's subqueries make PostgreSQL's estimate of a large inbox pass the
    # JIT threshold: compiling then costs ~130 ms to speed up a ~20 ms scan. Off for this
    # transaction only.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def _page(session: Session, condition: ColumnElement[bool], page: int, per_page: int) -> Page:
    page = max(page, 1)
    _without_jit(session)
    first = select(Courrier.id).where(condition).limit(COUNT_LIMIT + 1).subquery()
    total = session.scalar(select(func.count()).select_from(first)) or 0
    query = (
        select(Courrier)
        .where(condition)
        .options(
            joinedload(Courrier.sender), joinedload(Courrier.recipient),
            joinedload(Courrier.holder), joinedload(Courrier.holder_entity),
            joinedload(Courrier.entity),
        )
        .order_by(Courrier.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = list(session.scalars(query).unique())
    return Page(items, min(total, COUNT_LIMIT), page, per_page, total <= COUNT_LIMIT)


def inbox(session: Session, user: User, name: str, page: int = 1, per_page: int = PER_PAGE,
          scope: Scope | None = None) -> Page:
    """One page of an inbox, newest first, with its total."""
    scope = scope or scope_for(session, user)
    return _page(session, and_(inbox_condition(scope, name), scope.visible), page, per_page)


def counts(session: Session, user: User, scope: Scope | None = None) -> dict[str, int]:
    """How many courriers wait in each inbox."""
    scope = scope or scope_for(session, user)
    _without_jit(session)
    result = {}
    for name in INBOXES:
        condition = and_(inbox_condition(scope, name), scope.visible)
        result[name] = session.scalar(select(func.count()).select_from(Courrier).where(condition))
    return {name: int(value or 0) for name, value in result.items()}


@dataclass
class Filters:
    """The search form: every field is optional."""

    text: str = ""
    status: str = ""
    priority: str = ""
    direction: str = ""
    entity_code: str = ""
    correspondent_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def search_condition(session: Session, filters: Filters) -> ColumnElement[bool]:
    """The filters as one condition on ``Courrier`` (before the visibility filter)."""
    parts: list[ColumnElement[bool]] = []
    if filters.status:
        parts.append(Courrier.status == filters.status)
    if filters.priority:
        parts.append(Courrier.priority == filters.priority)
    if filters.direction:
        parts.append(Courrier.direction == filters.direction)
    if filters.entity_code:
        entity = entity_by_code(session, filters.entity_code)
        if entity is None:
            return false()
        parts.append(Courrier.entity_id.in_(permissions.subtree(session, entity.id)))
    if filters.correspondent_id:
        parts.append(or_(Courrier.sender_id == filters.correspondent_id,
                         Courrier.recipient_id == filters.correspondent_id))
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, tzinfo=UTC)
        parts.append(Courrier.registered_at >= start)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=UTC)
        parts.append(Courrier.registered_at < end)
    text = filters.text.strip()
    if text:
        words = normalise(text).split()
        by_correspondent = select(Correspondent.id).where(
            *[Correspondent.key.contains(w, autoescape=True) for w in words]
        )
        parts.append(or_(
            Courrier.chrono == text.upper(),
            Courrier.sender_reference.ilike(f"%{text}%"),
            and_(*[Courrier.subject.ilike(f"%{w}%") for w in text.split()]),
            Courrier.sender_id.in_(by_correspondent),
            Courrier.recipient_id.in_(by_correspondent),
        ))
    return and_(*parts) if parts else Courrier.id.is_not(None)


def search(session: Session, user: User, filters: Filters, page: int = 1,
           per_page: int = PER_PAGE) -> Page:
    """The courriers the user may see that match the filters, newest first."""
    condition = and_(search_condition(session, filters), access.visible_condition(session, user))
    return _page(session, condition, page, per_page)
