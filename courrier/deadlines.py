"""Deadlines: mark overdue courriers and remind their holders, their heads, and late opinions.

Safe to run twice on the same day: each reminder is keyed by (courrier, user, kind, deadline)
and an overdue courrier is marked once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from core.identity import RoleAssignment, User
from courrier import workflow
from courrier.calendar import WorkingCalendar, load_calendar
from courrier.config import EntityRules, rules_for
from courrier.models import Courrier, Imputation, Reminder
from courrier.service import today

# Courriers due further away than this need no reminder yet (rules ask for a few days).
HORIZON_DAYS = 60


@dataclass
class Report:
    marked_overdue: list[str] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"{len(self.marked_overdue)} courrier(s) passé(s) en retard.",
            f"{len(self.reminders)} rappel(s) créé(s).",
        ]


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def users_holding(session: Session, entity_id: int, roles: tuple[str, ...]) -> list[User]:
    """Active users holding one of ``roles`` in the entity itself."""
    query = (
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.entity_id == entity_id, RoleAssignment.role.in_(roles),
               User.active.is_(True))
        .order_by(User.id)
    )
    return list(session.scalars(query).unique())


def heads_of(session: Session, courrier: Courrier) -> list[User]:
    """Who answers for the courrier: the head of the holding service, else the responsable."""
    if courrier.holder_entity_id is not None:
        heads = users_holding(session, courrier.holder_entity_id, ("chef_service",))
        if heads:
            return heads
    return users_holding(session, courrier.entity_id, ("responsable",))


def holders_of(session: Session, courrier: Courrier) -> list[User]:
    """Who must act now: the named holder, the head of the service, or the mail office."""
    if courrier.holder is not None:
        return [courrier.holder]
    if courrier.holder_entity_id is not None:
        return heads_of(session, courrier)
    return users_holding(session, courrier.entity_id, ("bureau_ordre",))


class _Reminders:
    """Creates each reminder once, whatever the number of runs."""

    def __init__(self, session: Session, report: Report) -> None:
        self.session, self.report = session, report

    def add(self, courrier: Courrier, users: Iterable[User], kind: str, due_on: date,
            message: str) -> None:
        for user in users:
            exists = self.session.scalar(select(Reminder.id).where(
                Reminder.courrier_id == courrier.id, Reminder.user_id == user.id,
                Reminder.kind == kind, Reminder.due_on == due_on,
            ))
            if exists is None:
                reminder = Reminder(courrier_id=courrier.id, user_id=user.id, kind=kind,
                                    due_on=due_on, message=message)
                self.session.add(reminder)
                self.report.reminders.append(reminder)


def _courrier(session: Session, courrier: Courrier, on: date, calendar: WorkingCalendar,
              rules: EntityRules, reminders: _Reminders, report: Report) -> None:
    due = courrier.due_on
    assert due is not None
    label = f"Le courrier {courrier.chrono} (« {courrier.subject} »)"
    if due >= on:
        if calendar.working_days_between(on, due) <= rules.remind_before_days:
            reminders.add(courrier, holders_of(session, courrier), "avant_echeance", due,
                          f"{label} arrive à échéance le {_fmt(due)}.")
        return
    if not courrier.overdue:
        courrier.overdue = True
        workflow.record(session, courrier, None, "en_retard", echeance=due)
        report.marked_overdue.append(courrier.chrono)
    reminders.add(courrier, holders_of(session, courrier), "retard", due,
                  f"{label} est en retard : il était attendu pour le {_fmt(due)}.")
    late = calendar.working_days_between(due, on)
    if late >= rules.head_after_days:
        holder = courrier.holder.name if courrier.holder else "non attribué"
        reminders.add(courrier, heads_of(session, courrier), "chef", due,
                      f"{label} a {late} jours ouvrés de retard (détenteur : {holder}).")


def _opinions(session: Session, on: date, reminders: _Reminders) -> None:
    late = session.scalars(
        select(Imputation)
        .join(Courrier, Courrier.id == Imputation.courrier_id)
        .where(Imputation.kind == "avis", Imputation.active.is_(True), Imputation.due_on < on,
               Courrier.status.notin_(workflow.FINAL))
        .options(joinedload(Imputation.courrier), joinedload(Imputation.user))
    )
    for asked in late:
        courrier = asked.courrier
        users = [asked.user] if asked.user else users_holding(
            session, asked.entity_id, ("chef_service", "agent"))
        assert asked.due_on is not None
        reminders.add(courrier, users, "avis_retard", asked.due_on,
                      f"Votre avis sur le courrier {courrier.chrono} (« {courrier.subject} ») "
                      f"était attendu pour le {_fmt(asked.due_on)}.")


def run(session: Session, on: date | None = None) -> Report:
    """Mark what is overdue on ``on`` (today by default) and create the reminders due."""
    on = on or today()
    calendar = load_calendar(session)
    report = Report()
    reminders = _Reminders(session, report)
    open_ones = session.scalars(
        select(Courrier)
        .where(Courrier.status.in_(workflow.OPEN_INCOMING), Courrier.due_on.is_not(None),
               Courrier.due_on <= on + timedelta(days=HORIZON_DAYS))
        .options(joinedload(Courrier.holder))
        .order_by(Courrier.id)
    )
    rules: dict[int, EntityRules] = {}
    for courrier in open_ones:
        entity = courrier.holder_entity_id or courrier.entity_id
        if entity not in rules:
            rules[entity] = rules_for(session, entity)
        _courrier(session, courrier, on, calendar, rules[entity], reminders, report)
    _opinions(session, on, reminders)
    session.flush()
    return report


def unread_reminders(session: Session, user: User, limit: int = 20) -> list[Reminder]:
    """The user's reminders not yet marked read, newest first."""
    query = (
        select(Reminder)
        .where(Reminder.user_id == user.id, Reminder.read_at.is_(None))
        .options(joinedload(Reminder.courrier))
        .order_by(Reminder.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def mark_read(session: Session, user: User, reminder_id: int) -> None:
    """The user has seen the reminder (someone else's reminders are left alone)."""
    from core.db import utcnow

    reminder = session.get(Reminder, reminder_id)
    if reminder is not None and reminder.user_id == user.id and reminder.read_at is None:
        reminder.read_at = utcnow()
