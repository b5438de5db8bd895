"""The four-week plan: created from the template, moved, progress per axis and week, tasks done."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.audit import Event
from core.db import upgrade
from core.errors import NotFound
from supervision.plan.models import Plan, PlanTask
from supervision.plan.service import (
    ensure_plan,
    mark_done,
    plan_summary_lines,
    progress,
    template,
    week_end,
)
from tests.conftest import atd_runner
from tests.factories import make_ministry, make_user

START = date(2025, 11, 5)  # a Wednesday: weeks run Wednesday to Tuesday


def events(session, action: str) -> int:
    return (
        session.scalar(select(func.count()).select_from(Event).where(Event.action == action)) or 0
    )


def test_template_has_five_axes_each_with_tasks_in_weeks_1_to_4():
    plan = template()
    assert list(plan.axes) == [1, 2, 3, 4, 5]
    assert plan.axes[5] == "Transfert de compétences et conduite du changement"
    for axis in plan.axes:
        tasks = [t for t in plan.tasks if t.axis == axis]
        assert 4 <= len(tasks) <= 7
        assert {t.week for t in tasks} == {1, 2, 3, 4}
    codes = [t.code for t in plan.tasks]
    assert len(set(codes)) == len(codes)
    assert codes[0] == "A1-S1-1"


def test_ensure_plan_creates_every_template_task_once(db_session):
    plan = ensure_plan(db_session, START)
    assert plan.start == START
    assert [t.code for t in plan.tasks] == [t.code for t in template().tasks]
    assert ensure_plan(db_session, START) is plan
    assert db_session.scalar(select(func.count()).select_from(Plan)) == 1
    assert events(db_session, "plan.cree") == 1


def test_ensure_plan_with_another_start_moves_the_plan_and_keeps_done_tasks(db_session):
    ensure_plan(db_session, START)
    mark_done(db_session, "A2-S1-1")
    plan = ensure_plan(db_session, START + timedelta(days=7))
    assert plan.start == START + timedelta(days=7)
    assert (
        db_session.scalars(select(PlanTask).where(PlanTask.code == "A2-S1-1")).one().done_at
        is not None
    )
    moved = db_session.scalars(select(Event).where(Event.action == "plan.deplace")).one()
    assert moved.data == {"avant": "2025-11-05", "apres": "2025-11-12"}


def test_week_n_ends_on_the_sixth_day_after_its_first():
    assert week_end(START, 1) == date(2025, 11, 11)
    assert week_end(START, 4) == date(2025, 12, 2)


def test_a_task_is_late_only_once_its_week_has_ended(db_session):
    ensure_plan(db_session, START)
    on_last_day = progress(db_session, week_end(START, 1))
    assert on_last_day.late == []
    assert on_last_day.week == 1
    next_day = progress(db_session, week_end(START, 1) + timedelta(days=1))
    assert {t.week for t in next_day.late} == {1}
    assert next_day.week == 2
    assert len(next_day.late) == next_day.weeks[1].total


def test_progress_counts_done_tasks_per_axis_and_per_week(db_session):
    ensure_plan(db_session, START)
    for code in ("A1-S1-1", "A1-S1-2", "A3-S2-1"):
        mark_done(db_session, code)
    state = progress(db_session, START + timedelta(days=10))
    axis1 = state.axes[0]
    assert (axis1.number, axis1.weeks[1].done, axis1.weeks[1].total) == (1, 2, 2)
    assert state.axes[2].weeks[2].done == 1
    assert state.weeks[1].done == 2 and state.weeks[2].done == 1
    assert state.overall.done == 3 and state.overall.total == len(template().tasks)
    assert "A1-S1-1" not in {t.code for t in state.late}
    assert {t.code for t in state.late} == {
        t.code for t in state.tasks if t.week == 1 and not t.done_at
    }


def test_mark_done_records_who_and_when_and_writes_an_event(db_session):
    ensure_plan(db_session, START)
    user = make_user(db_session, make_ministry(db_session)["MDERM"], roles=("superviseur",))
    task, already = mark_done(db_session, "a4-s1-1", user=user)
    assert not already
    assert task.code == "A4-S1-1" and task.done_by_id == user.id and task.done_at is not None
    done = db_session.scalars(select(Event).where(Event.action == "plan.tache_terminee")).one()
    assert (done.actor, done.object_id) == (user.login, "A4-S1-1")
    assert progress(db_session, START).tasks[0].done_by is None  # A1-S1-1 is still open


def test_marking_a_done_task_again_says_so_and_changes_nothing(db_session):
    ensure_plan(db_session, START)
    first, _ = mark_done(db_session, "A1-S1-1")
    when = first.done_at
    task, already = mark_done(db_session, "A1-S1-1")
    assert already and task.done_at == when
    assert events(db_session, "plan.tache_terminee") == 1


def test_marking_an_unknown_task_is_not_found(db_session):
    ensure_plan(db_session, START)
    with pytest.raises(NotFound, match="Tâche inconnue : A9-S9-9"):
        mark_done(db_session, "A9-S9-9")


def test_progress_without_a_plan_is_not_found(db_session):
    with pytest.raises(NotFound, match="Aucun plan n'a encore été créé"):
        progress(db_session, START)


def test_summary_lines_for_the_home_page(db_session):
    assert plan_summary_lines(db_session, START) == ["Aucun plan n'a encore été créé."]
    ensure_plan(db_session, START)
    mark_done(db_session, "A1-S1-1")
    total = len(template().tasks)
    lines = plan_summary_lines(db_session, START + timedelta(days=8))
    assert (
        lines[0] == f"Avancement global : {round(100 / total)} % (1/{total} tâches terminées), "
        "semaine 2 sur 4."
    )
    assert lines[1] == "Axe 1 — Infrastructures et équipements : 17 %"
    assert len(lines) == 7
    assert (
        lines[-1]
        == f"{progress(db_session, START + timedelta(days=8)).weeks[1].total - 1} tâches en retard."
    )


def test_cli_plan_shows_progress_and_done_marks_a_task(tmp_path: Path):
    """GIVEN a plan started three weeks ago WHEN a task is marked done THEN `atd plan` counts it."""
    url = f"sqlite:///{tmp_path / 'plan.db'}"
    upgrade(url)
    atd = atd_runner(tmp_path, url)
    start = (date.today() - timedelta(days=21)).isoformat()
    inventory = tmp_path / "inventaire.yaml"
    inventory.write_text(f"ministere: {{code: MP, nom: Ministère}}\nplan: {{debut: {start}}}\n")
    assert atd("onboard", inventory).exit_code == 0

    done = atd("plan", "done", "A1-S1-1")
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("Tâche A1-S1-1 terminée")
    again = atd("plan", "done", "A1-S1-1")
    assert "était déjà terminée" in again.stdout
    unknown = atd("plan", "done", "Z")
    assert unknown.exit_code == 1 and unknown.stderr.startswith("Erreur : Tâche inconnue : Z.")

    shown = atd("plan")
    assert shown.exit_code == 0, shown.output
    assert "semaine 4 sur 4" in shown.stdout
    assert "  1. Infrastructures et équipements" in shown.stdout
    assert "En retard :" in shown.stdout and "A1-S1-2" in shown.stdout
    assert "A1-S1-1" not in shown.stdout.split("En retard :")[1]
    detail = atd("plan", "--detail")
    assert "[x] A1-S1-1" in detail.stdout
