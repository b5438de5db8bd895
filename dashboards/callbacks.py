"""The room's callbacks: each refresh asks ``supervision.service`` and redraws; thin on purpose."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, dcc
from flask import current_app

from core.app import runtime_of_app
from core.runtime import Runtime
from core.session_auth import require_user
from dashboards import components, figures, layout
from supervision import service
from supervision.export import csv_text
from supervision.metrics.alerts import LIMITS
from supervision.periods import last_days

FLOOR = LIMITS["part_a_temps_min"].default


def _runtime() -> Runtime:
    return runtime_of_app(current_app)


def _figures(code: str | None, days: str | None) -> dict[str, Any]:
    """The figures of the user's selection; the period ends today."""
    period = last_days(int(days) if days in layout.PERIODS else 30)
    return service.kpis(_runtime(), require_user(), code or None, period.start.isoformat(),
                        period.end.isoformat(), period.end)


def _updated(result: dict[str, Any]) -> str:
    waiting = result["evenements_en_attente"]
    text = f"Mis à jour à {result['calcule_le'][11:19]} (UTC)."
    return text + (f" {waiting} événements en cours de prise en compte." if waiting else "")


def page(pathname: str | None) -> Any:
    scope = service.scope(_runtime(), require_user())
    return layout.wall(scope) if (pathname or "").rstrip("/").endswith("/mur") else \
        layout.room(scope)


def refresh_room(_tick: int | None, code: str | None, days: str | None) -> tuple[Any, ...]:
    result = _figures(code, days)
    whole, units = result["ensemble"], result["entites"]
    events = service.latest_events(_runtime(), require_user(), code or None)
    return (
        components.cards(units), components.alerts(units),
        figures.volumes(whole), figures.backlog(whole), figures.delays(whole),
        figures.on_time(whole, FLOOR), figures.demarches(units), figures.plan(result["plan"]),
        components.feed(events), _updated(result),
    )


def refresh_wall(tick: int | None) -> tuple[Any, ...]:
    result = _figures(None, "30")
    units = result["entites"]
    unit = units[((tick or 0) // layout.WALL_TICKS) % len(units)]
    events = service.latest_events(_runtime(), require_user(), unit["code"], limit=6)
    return (
        f"{unit['code']} — {unit['nom']}", components.card(unit, large=True),
        figures.volumes(unit, large=True), figures.backlog(unit, large=True),
        figures.on_time(unit, FLOOR, large=True), components.feed(events), _updated(result),
    )


def download(_clicks: int | None, code: str | None, days: str | None) -> dict[str, Any]:
    result = _figures(code, days)
    name = f"supervision-{code or 'ensemble'}-{result['periode']['du']}-{result['periode']['au']}"
    return dcc.send_string(csv_text(result), f"{name}.csv", type="text/csv")


def register(app: Dash) -> None:
    app.callback(Output("page", "children"), Input("adresse", "pathname"))(page)
    room_graphs = [Output(f"salle-{g}", "figure") for g in layout.ROOM_GRAPHS]
    app.callback(
        [Output("salle-cartes", "children"), Output("salle-alertes", "children"), *room_graphs,
         Output("salle-fil", "children"), Output("salle-maj", "children")],
        [Input("salle-tic", "n_intervals"), Input("entite", "value"), Input("periode", "value")],
    )(refresh_room)
    wall_graphs = [Output(f"mur-{g}", "figure") for g in layout.WALL_GRAPHS]
    app.callback(
        [Output("mur-titre", "children"), Output("mur-carte", "children"), *wall_graphs,
         Output("mur-fil", "children"), Output("mur-maj", "children")],
        Input("mur-tic", "n_intervals"),
    )(refresh_wall)
    app.callback(
        Output("csv", "data"), Input("csv-bouton", "n_clicks"),
        State("entite", "value"), State("periode", "value"), prevent_initial_call=True,
    )(download)
    # Full screen needs a click in the browser itself: a browser refuses it to a script alone.
    app.clientside_callback(
        "function(n) { if (n) { document.documentElement.requestFullscreen(); } return ''; }",
        Output("mur-ecran", "children"), Input("mur-plein-ecran", "n_clicks"),
        prevent_initial_call=True,
    )
