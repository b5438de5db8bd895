"""The four-week onboarding plan: made from the template, progress per axis and week, tasks done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import NamedTuple

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core import audit
from core.db import utcnow
from core.errors import NotFound
from core.identity import User, ministry
from supervision.plan.models import Plan, PlanTask

WEEKS = (1, 2, 3, 4)
NO_PLAN = "Aucun plan n'a encore été créé."


class TemplateTask(NamedTuple):
    code: str
    axis: int
    week: int
    position: int
    title: str


@dataclass(frozen=True)
class Template:
    axes: dict[int, str]  # number -> title
    tasks: tuple[TemplateTask, ...]


@cache
def template() -> Template:
    """The plan every ministry starts from (``template.yaml`` next to this module)."""
    text = resources.files(__package__).joinpath("template.yaml").read_text(encoding="utf-8")
    axes: dict[int, str] = {}
    tasks: list[TemplateTask] = []
    for axis in yaml.safe_load(text)["axes"]:
        number = int(axis["numero"])
        axes[number] = axis["titre"]
        for week, titles in sorted(axis["semaines"].items()):
            for rank, title in enumerate(titles, start=1):
                code = f"A{number}-S{week}-{rank}"
                tasks.append(TemplateTask(code, number, int(week), len(tasks) + 1, title))
    return Template(axes, tuple(tasks))


def week_end(start: date, week: int) -> date:
    """The last day of the plan's week ``week`` (weeks are seven days from the start)."""
    return start + timedelta(days=7 * week - 1)


def current_plan(session: Session) -> Plan | None:
    return session.scalars(select(Plan).order_by(Plan.id)).first()


def _ministry_id(session: Session) -> int | None:
    root = ministry(session)
    return root.id if root else None


def ensure_plan(session: Session, start: date, actor_name: str = "cli") -> Plan:
    """Create the plan from the template, or move its start when it changed."""
    plan = current_plan(session)
    if plan is None:
        plan = Plan(
            start=start,
            tasks=[
                PlanTask(code=t.code, axis=t.axis, week=t.week, position=t.position, title=t.title)
                for t in template().tasks
            ],
        )
        session.add(plan)
        session.flush()
        audit.record(
            session,
            None,
            "plan.cree",
            "plan",
            plan.id,
            _ministry_id(session),
            {"debut": start, "taches": len(plan.tasks)},
            actor_name=actor_name,
        )
    elif plan.start != start:
        before, plan.start = plan.start, start
        audit.record(
            session,
            None,
            "plan.deplace",
            "plan",
            plan.id,
            _ministry_id(session),
            {"avant": before, "apres": start},
            actor_name=actor_name,
        )
    return plan


@dataclass(frozen=True)
class Tally:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class TaskState:
    code: str
    title: str
    axis: int
    week: int
    done_at: datetime | None
    done_by: str | None  # login
    late: bool


@dataclass(frozen=True)
class AxisProgress:
    number: int
    title: str
    tally: Tally
    weeks: dict[int, Tally]


@dataclass(frozen=True)
class PlanProgress:
    start: date
    today: date
    week: int  # 0 before the start, 5 and more once the four weeks are over
    overall: Tally
    axes: list[AxisProgress]
    weeks: dict[int, Tally]
    tasks: list[TaskState]

    @property
    def late(self) -> list[TaskState]:
        return [task for task in self.tasks if task.late]


def _tally(tasks: list[TaskState]) -> Tally:
    return Tally(sum(1 for t in tasks if t.done_at is not None), len(tasks))


def progress(session: Session, today: date) -> PlanProgress:
    """Done/total per axis and per week; late tasks are not done and their week ended before today.

    Raises:
        NotFound: no plan yet.
    """
    plan = current_plan(session)
    if plan is None:
        raise NotFound(
            f"{NO_PLAN} Lancez « atd onboard » avec un inventaire qui contient plan.debut."
        )
    rows = session.scalars(
        select(PlanTask)
        .where(PlanTask.plan_id == plan.id)
        .options(selectinload(PlanTask.done_by))
        .order_by(PlanTask.axis, PlanTask.week, PlanTask.position)
    )
    tasks = [
        TaskState(
            t.code,
            t.title,
            t.axis,
            t.week,
            t.done_at,
            t.done_by.login if t.done_by else None,
            t.done_at is None and week_end(plan.start, t.week) < today,
        )
        for t in rows
    ]
    titles = template().axes
    axes = [
        AxisProgress(
            number,
            titles.get(number, f"Axe {number}"),
            _tally([t for t in tasks if t.axis == number]),
            {w: _tally([t for t in tasks if t.axis == number and t.week == w]) for w in WEEKS},
        )
        for number in sorted({t.axis for t in tasks} | set(titles))
    ]
    return PlanProgress(
        start=plan.start,
        today=today,
        week=max(0, (today - plan.start).days // 7 + 1),
        overall=_tally(tasks),
        axes=axes,
        weeks={w: _tally([t for t in tasks if t.week == w]) for w in WEEKS},
        tasks=tasks,
    )


class Marked(NamedTuple):
    task: PlanTask
    already_done: bool


def mark_done(
    session: Session, code: str, user: User | None = None, actor_name: str = "cli"
) -> Marked:
    """Mark a task done, recording who and when; a task already done is left as it was.

    Raises:
        NotFound: no task has this code.
    """
    wanted = code.strip().upper()
    task = session.scalars(select(PlanTask).where(PlanTask.code == wanted)).first()
    if task is None:
        raise NotFound(
            f"Tâche inconnue : {code}. « atd plan --detail » liste les codes des tâches."
        )
    if task.done_at is not None:
        return Marked(task, True)
    task.done_at = utcnow()
    task.done_by_id = user.id if user else None
    audit.record(
        session,
        user,
        "plan.tache_terminee",
        "plan_tache",
        task.code,
        _ministry_id(session),
        {"titre": task.title, "axe": task.axis, "semaine": task.week},
        actor_name=actor_name,
    )
    return Marked(task, False)


def plan_summary_lines(session: Session, today: date | None = None) -> list[str]:
    """A few French lines for the home page."""
    try:
        state = progress(session, today or date.today())
    except NotFound:
        return [NO_PLAN]
    if state.week == 0:
        when = f"début le {state.start:%d/%m/%Y}"
    elif state.week <= len(WEEKS):
        when = f"semaine {state.week} sur {len(WEEKS)}"
    else:
        when = "les quatre semaines sont écoulées"
    late = len(state.late)
    lines = [
        f"Avancement global : {state.overall.percent} % "
        f"({state.overall.done}/{state.overall.total} tâches terminées), {when}."
    ]
    lines += [f"Axe {a.number} — {a.title} : {a.tally.percent} %" for a in state.axes]
    lines.append(
        "Aucune tâche en retard."
        if late == 0
        else f"{late} tâche{'s' if late > 1 else ''} en retard."
    )
    return lines
