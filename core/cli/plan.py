"""``atd plan``: the four-week onboarding plan, its progress and the tasks done."""

from __future__ import annotations

from datetime import date

import click

from core.cli.context import runtime
from core.errors import NotFound
from core.identity import user_by_login
from supervision.plan.service import WEEKS, PlanProgress, mark_done, progress, week_end


def _ratio(done: int, total: int) -> str:
    return f"{done}/{total}"


def progress_lines(state: PlanProgress, detail: bool = False) -> list[str]:
    """The plan as the terminal shows it: per axis, per week, then the late tasks."""
    if state.week == 0:
        now = "pas encore commencé"
    elif state.week <= len(WEEKS):
        now = f"semaine {state.week} sur {len(WEEKS)}"
    else:
        now = f"quatre semaines écoulées le {week_end(state.start, len(WEEKS)):%d/%m/%Y}"
    overall = state.overall
    lines = [
        f"Plan de déploiement : début le {state.start:%d/%m/%Y}, {now}.",
        f"Avancement : {_ratio(overall.done, overall.total)} tâches terminées "
        f"({overall.percent} %).",
        "",
        f"{'Par axe :':<61}" + "  ".join(f"S{w}".rjust(3) for w in WEEKS) + "   total",
    ]
    for axis in state.axes:
        weeks = "  ".join(
            f"{_ratio(t.done, t.total):>3}" if t.total else "  -" for t in axis.weeks.values()
        )
        lines.append(f"  {axis.number}. {axis.title:<56.56}{weeks}   {axis.tally.percent:>3} %")
    lines += ["", "Par semaine :"]
    for week, tally in state.weeks.items():
        lines.append(
            f"  Semaine {week}, jusqu'au {week_end(state.start, week):%d/%m/%Y} : "
            f"{_ratio(tally.done, tally.total)} ({tally.percent} %)"
        )
    late = state.late
    lines += [
        "",
        f"En retard : {len(late)} tâche{'s' if len(late) > 1 else ''}."
        if late
        else "Aucune tâche en retard.",
    ]
    lines += [f"  {t.code:<9} {t.title}" for t in late]
    if detail:
        lines += ["", "Toutes les tâches :"]
        for t in state.tasks:
            mark = "x" if t.done_at else ("!" if t.late else " ")
            done = (
                f" — terminée le {t.done_at:%d/%m/%Y}" + (f" par {t.done_by}" if t.done_by else "")
                if t.done_at
                else ""
            )
            lines.append(f"  [{mark}] {t.code:<9} {t.title}{done}")
    return lines


@click.group("plan", invoke_without_command=True)
@click.option("--detail", is_flag=True, help="Liste aussi chaque tâche avec son code et son état.")
@click.pass_context
def plan_group(ctx: click.Context, detail: bool) -> None:
    """Plan de déploiement en quatre semaines : avancement et retards."""
    if ctx.invoked_subcommand is not None:
        return
    with runtime().session() as session:
        state = progress(session, date.today())
    click.echo("\n".join(progress_lines(state, detail)))


@plan_group.command("done")
@click.argument("task")
@click.option("--by", "login", help="Identifiant de la personne qui a terminé la tâche.")
def done_command(task: str, login: str | None) -> None:
    """Marque une tâche du plan comme terminée (par exemple A1-S1-1)."""
    with runtime().session() as session:
        user = None
        if login is not None:
            user = user_by_login(session, login)
            if user is None:
                raise NotFound(f"Utilisateur inconnu : {login}")
        task_row, already = mark_done(session, task, user=user)
        if already:
            click.echo(
                f"La tâche {task_row.code} était déjà terminée "
                f"(le {task_row.done_at:%d/%m/%Y}) : rien n'a changé."
            )
        else:
            click.echo(f"Tâche {task_row.code} terminée : {task_row.title}.")


COMMANDS = [plan_group]
