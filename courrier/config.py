"""Per-entity rules for deadlines and replies, and the holidays announced each year."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.identity import Entity, User
from courrier.errors import InvalidCourrier
from courrier.models import AnnouncedHoliday, CourrierSettings


@dataclass(frozen=True)
class EntityRules:
    """What an entity decided; an entity that sets nothing follows the one above it."""

    # Working days before the deadline when the holder is reminded.
    remind_before_days: int = 2
    # Working days late after which the head of the holding service is told.
    head_after_days: int = 5
    # Sending the reply closes the incoming courrier (otherwise it stays « Répondu »).
    close_on_send: bool = True


DEFAULT_RULES = EntityRules()
RULE_NAMES = tuple(f.name for f in fields(EntityRules))


def rules_for(session: Session, entity_id: int) -> EntityRules:
    """The entity's rules, each taken from the nearest entity up the tree that sets it."""
    found: dict[str, object] = {}
    current: int | None = entity_id
    while current is not None and len(found) < len(RULE_NAMES):
        row = session.get(CourrierSettings, current)
        if row is not None:
            for name in RULE_NAMES:
                value = getattr(row, name)
                if value is not None:
                    found.setdefault(name, value)
        entity = session.get(Entity, current)
        current = entity.parent_id if entity else None
    return EntityRules(**found)  # type: ignore[arg-type]


def set_rules(session: Session, actor: User | None, entity: Entity, **changes: object) -> None:
    """Set some of the entity's rules (None puts a rule back to the inherited value)."""
    unknown = set(changes) - set(RULE_NAMES)
    if unknown:
        raise InvalidCourrier(f"Réglage inconnu : {sorted(unknown)[0]}.")
    for name, value in changes.items():
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            raise InvalidCourrier(f"Le réglage {name} doit être positif ou nul.")
    row = session.get(CourrierSettings, entity.id) or CourrierSettings(entity_id=entity.id)
    for name, value in changes.items():
        setattr(row, name, value)
    session.add(row)
    audit.record(
        session, actor, "courrier.reglages_modifies", "entite", entity.id, entity.id,
        {"entite": entity.code, **changes}, actor_name="cli",
    )


def announced_holidays(session: Session, year: int | None = None) -> list[AnnouncedHoliday]:
    query = select(AnnouncedHoliday).order_by(AnnouncedHoliday.day)
    if year is not None:
        query = query.where(AnnouncedHoliday.day.between(date(year, 1, 1), date(year, 12, 31)))
    return list(session.scalars(query))


def announce_holiday(session: Session, actor: User | None, day: date, name: str) -> None:
    """Add (or rename) a holiday set for this year, such as the Tabaski."""
    if not name.strip():
        raise InvalidCourrier("Le nom du jour férié est obligatoire.")
    row = session.get(AnnouncedHoliday, day) or AnnouncedHoliday(day=day)
    row.name = name.strip()
    session.add(row)
    audit.record(
        session, actor, "courrier.ferie_annonce", "jour_ferie", day.isoformat(), None,
        {"nom": row.name}, actor_name="cli",
    )


def withdraw_holiday(session: Session, actor: User | None, day: date) -> bool:
    row = session.get(AnnouncedHoliday, day)
    if row is None:
        return False
    session.delete(row)
    audit.record(
        session, actor, "courrier.ferie_retire", "jour_ferie", day.isoformat(), None,
        {"nom": row.name}, actor_name="cli",
    )
    return True
