"""The two pages of the room: the supervision room itself and the wall screen."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboards.figures import graph_config
from supervision.scope import Scope

REFRESH_MS = 5000
# On the wall, each entity stays this many refreshes before the next one (15 s).
WALL_TICKS = 3
PERIODS = {"7": "7 derniers jours", "30": "30 derniers jours", "90": "90 derniers jours",
           "365": "12 derniers mois"}
ROOM_GRAPHS = ("volumes", "anciennete", "delais", "jauge", "demarches", "plan")
WALL_GRAPHS = ("volumes", "anciennete", "jauge")


def shell() -> html.Div:
    """What Dash serves first: the address decides which page fills it."""
    return html.Div([dcc.Location(id="adresse"), html.Div(id="page")])


def _graph(prefix: str, name: str) -> dcc.Graph:
    config: Any = graph_config(name)  # plotly.js options Dash's stubs do not list (locales)
    return dcc.Graph(id=f"{prefix}-{name}", config=config, className="graphe")


def _aria(label: str) -> Any:
    """``aria-label``, which Dash takes only as a keyword its stubs cannot name."""
    return {"aria-label": label}


def _entity_options(scope: Scope) -> list[dict[str, str]]:
    options = [{"label": f"Ensemble — {scope.whole.name}", "value": ""}]
    if len(scope.units) > 1 or scope.units[0] is not scope.whole:
        options += [{"label": f"{u.code} — {u.name}", "value": u.code} for u in scope.units]
    return options


def room(scope: Scope) -> html.Div:
    """The supervision room: filters, cards, alerts, figures, live feed."""
    return html.Div(className="salle", children=[
        html.Header(className="entete-salle", children=[
            html.H1("Salle de supervision"),
            html.Nav([html.A("Accueil", href="/"), html.A("Mode mur", href="/supervision/mur")],
                     **_aria("Navigation de la salle")),
            html.P(id="salle-maj", className="mise-a-jour", role="status"),
        ]),
        html.Form(className="filtres", children=[
            html.Label("Entité", htmlFor="entite"),
            dcc.Dropdown(id="entite", options=_entity_options(scope), value="",
                         clearable=False, searchable=False),
            html.Fieldset([
                html.Legend("Période"),
                dcc.RadioItems(id="periode", value="30", inline=True,
                               options=[{"label": v, "value": k} for k, v in PERIODS.items()]),
            ]),
            html.Button("Télécharger les données (CSV)", id="csv-bouton", type="button"),
            dcc.Download(id="csv"),
        ]),
        html.Div(id="salle-alertes"),
        html.Section(id="salle-cartes", className="cartes", **_aria("Entités")),
        html.Section(className="graphes", children=[_graph("salle", g) for g in ROOM_GRAPHS]),
        html.Section(className="fil", children=[
            html.H2("En direct"), html.Ol(id="salle-fil", className="fil-evenements"),
        ]),
        dcc.Interval(id="salle-tic", interval=REFRESH_MS),
    ])


def wall(scope: Scope) -> html.Div:
    """The wall screen: one entity at a time in large type, cycling; full screen on request."""
    return html.Div(className="mur", children=[
        html.Header(className="entete-mur", children=[
            html.H1(id="mur-titre"),
            html.P(id="mur-maj", className="mise-a-jour", role="status"),
            html.Button("Plein écran", id="mur-plein-ecran", type="button"),
            html.A("Retour à la salle", href="/supervision/"),
        ]),
        html.Div(id="mur-carte"),
        html.Section(className="graphes-mur", children=[_graph("mur", g) for g in WALL_GRAPHS]),
        html.Ol(id="mur-fil", className="fil-evenements"),
        html.Span(id="mur-ecran", hidden=True),
        dcc.Interval(id="mur-tic", interval=REFRESH_MS),
    ])
