"""The four-week plan as the room shows it: progress per axis and per week, late tasks."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from core.errors import NotFound
from supervision.plan.service import progress


def block(session: Session, on: date) -> dict[str, Any] | None:
    """The plan's progress on ``on``, or None when the ministry has no plan."""
    try:
        state = progress(session, on)
    except NotFound:
        return None
    return {
        "debut": state.start.isoformat(),
        "semaine": state.week,
        "avancement": state.overall.percent,
        "taches_terminees": state.overall.done,
        "taches": state.overall.total,
        "axes": [
            {"numero": axis.number, "titre": axis.title, "avancement": axis.tally.percent,
             "terminees": axis.tally.done, "total": axis.tally.total}
            for axis in state.axes
        ],
        "semaines": [
            {"semaine": week, "avancement": tally.percent, "terminees": tally.done,
             "total": tally.total}
            for week, tally in state.weeks.items()
        ],
        "en_retard": [{"code": t.code, "titre": t.title, "semaine": t.week} for t in state.late],
    }
