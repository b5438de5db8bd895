"""The room's HTML pieces: headline cards, alerts, the live feed, in French."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import html

from supervision.metrics.alerts import fr


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{fr(value)} %"


def _figure(label: str, value: Any, tone: str = "") -> html.Div:
    return html.Div(className=f"chiffre {tone}".strip(), children=[
        html.Span(str(value), className="valeur"), html.Span(label, className="libelle")])


def card(unit: Mapping[str, Any], large: bool = False) -> html.Article:
    """The headline figures of one entity."""
    mail, dem = unit["courrier"], unit["demarches"]
    late_tone = "alerte" if any(a["code"] == "retard" for a in unit["alertes"]) else ""
    return html.Article(className="carte-entite" + (" grande" if large else ""),
                        id=f"carte-{unit['code']}", children=[
        html.H2(unit["code"]),
        html.P(unit["nom"], className="nom"),
        html.Div(className="chiffres", children=[
            _figure("enregistrés", mail["enregistres"]),
            _figure("traités", mail["traites"]),
            _figure("en cours", mail["en_cours"]),
            _figure("en retard", mail["en_retard"], late_tone),
            _figure("traités à temps", _pct(mail["part_a_temps"])),
            _figure("démarches en ligne", _pct(dem["part_en_ligne"]),
                    "alerte" if any(a["code"] == "demarches" for a in unit["alertes"]) else ""),
        ]),
        *_alert_lines(unit, large),
    ])


def _alert_lines(unit: Mapping[str, Any], large: bool) -> list[Any]:
    if not unit["alertes"]:
        return [html.P("Aucune alerte", className="nombre-alertes aucune")]
    if large:  # the wall has room to say what is wrong
        return [html.Ul([html.Li(a["message"]) for a in unit["alertes"]], className="alertes-mur")]
    return [html.P(f"{len(unit['alertes'])} alerte(s)", className="nombre-alertes")]


def cards(units: Sequence[Mapping[str, Any]]) -> list[html.Article]:
    return [card(unit) for unit in units]


def alerts(units: Sequence[Mapping[str, Any]]) -> html.Div:
    found = [(unit["code"], alert) for unit in units for alert in unit["alertes"]]
    if not found:
        return html.Div(className="alertes vide", children=[html.P("Aucune alerte.")])
    return html.Div(className="alertes", role="alert", children=[
        html.H2("Alertes"),
        html.Ul([html.Li([html.Strong(f"{code} : "), alert["message"]])
                 for code, alert in found]),
    ])


def feed(events: Sequence[Mapping[str, Any]]) -> list[html.Li]:
    if not events:
        return [html.Li("Aucun événement récent.")]
    return [
        html.Li(className="evenement", children=[
            html.Time(e["heure"], dateTime=e["quand"]), " ",
            html.Strong(e["entite"]), f" — {e['quoi']} {e['objet']} ({e['qui']})",
        ])
        for e in events
    ]
