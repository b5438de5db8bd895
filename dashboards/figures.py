"""The room's Plotly figures, built as plain dicts from the figures of ``supervision.metrics``.

Plain dicts, not ``plotly.graph_objects``: the room redraws every few seconds and validating
eight figures each time would cost more than computing the numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from courrier.models import CHANNEL_LABELS

Figure = dict[str, Any]
BLUE, GREEN, ORANGE, RED, GREY = "#1f4e79", "#1e6b33", "#c55a11", "#a4161a", "#8c959f"
CHANNEL_COLOURS = ["#1f4e79", "#2e75b6", "#9dc3e6", "#548235", "#bf9000"]
AGE_LABELS = {"0-7": "0 à 7 j", "8-15": "8 à 15 j", "16-30": "16 à 30 j",
              "plus_30": "plus de 30 j"}
# The longest treatments are grouped so that a few very old letters do not flatten the rest.
DELAY_CAP = 60


def _layout(title: str, large: bool = False, **extra: Any) -> dict[str, Any]:
    """Common layout; ``large`` is the wall's: large type, light on the room's dark blue."""
    size = 20 if large else 13
    ink, paper = ("#ffffff", "#13314f") if large else ("#1b1b1b", "#ffffff")
    return {
        "title": {"text": title, "font": {"size": size + 3, "color": ink}},
        "separators": ", ",  # French: decimal comma, thin space between thousands
        "font": {"family": "DejaVu Sans, Arial, sans-serif", "size": size, "color": ink},
        "margin": {"l": 60, "r": 20, "t": 80, "b": 40},
        "paper_bgcolor": paper,
        "plot_bgcolor": paper,
        "legend": {"orientation": "h", "y": -0.15},
        **extra,
    }


def _counts_axis(values: Sequence[int], title: str) -> dict[str, Any]:
    """A y axis of counts: whole numbers only, from zero."""
    axis: dict[str, Any] = {"title": {"text": title}, "rangemode": "tozero"}
    if max(values, default=0) <= 5:
        axis |= {"dtick": 1, "range": [0, max(5, *values) + 0.5]}
    return axis


def _empty(title: str, message: str, large: bool) -> Figure:
    return {"data": [], "layout": _layout(title, large, xaxis={"visible": False},
                                          yaxis={"visible": False}, annotations=[
        {"text": message, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5,
         "y": 0.5, "font": {"size": 24 if large else 16}}])}


def volumes(unit: Mapping[str, Any], large: bool = False) -> Figure:
    """Courriers received per day, stacked by channel, and those treated, as a line."""
    days = unit["courrier"]["par_jour"]
    x = [d["jour"] for d in days]
    bars = [
        {"type": "bar", "name": label, "x": x, "y": [d["par_canal"].get(channel, 0) for d in days],
         "marker": {"color": colour},
         "hovertemplate": "%{x|%d/%m/%Y} : %{y} courrier(s)<extra>" + label + "</extra>"}
        for (channel, label), colour in zip(CHANNEL_LABELS.items(), CHANNEL_COLOURS, strict=True)
    ]
    treated: dict[str, Any] = {
        "type": "scatter", "mode": "lines+markers", "name": "Traités", "x": x,
        "y": [d["traites"] for d in days], "line": {"color": ORANGE, "width": 3},
        "hovertemplate": "%{x|%d/%m/%Y} : %{y} traité(s)<extra></extra>"}
    totals = [d["enregistres"] for d in days] + treated["y"]
    return {"data": [*bars, treated], "layout": _layout(
        "Courriers reçus par jour et par canal", large, barmode="stack",
        xaxis={"tickformat": "%d/%m", "hoverformat": "%d/%m/%Y"},
        yaxis=_counts_axis(totals, "Courriers"))}


def backlog(unit: Mapping[str, Any], large: bool = False) -> Figure:
    """Open courriers by age since registration; the overdue ones in the title."""
    mail = unit["courrier"]
    ages = mail["anciennete"]
    colours = [GREEN, BLUE, ORANGE, RED]
    title = (f"Courriers en cours par ancienneté<br><sub>{mail['en_cours']} en cours, "
             f"dont {mail['en_retard']} en retard</sub>")
    return {"data": [{
        "type": "bar", "x": [AGE_LABELS[k] for k in ages], "y": list(ages.values()),
        "marker": {"color": colours}, "text": list(ages.values()), "textposition": "auto",
        "hovertemplate": "%{x} : %{y} courrier(s)<extra></extra>",
    }], "layout": _layout(title, large, yaxis=_counts_axis(list(ages.values()), "Courriers"))}


def delays(unit: Mapping[str, Any], large: bool = False) -> Figure:
    """How many days treatments took (registration to reply or filing), with the median."""
    timing = unit["courrier"]["delai_traitement_jours"]
    counts: dict[int, int] = {}
    for point in timing["distribution"]:
        day = min(point["jours"], DELAY_CAP)
        counts[day] = counts.get(day, 0) + point["nombre"]
    median, p90 = timing["mediane"], timing["p90"]
    title = "Délai de traitement (jours)"
    if median is None:
        return _empty(title, "Aucun courrier traité sur la période", large)
    title += f"<br><sub>médiane {median} j, 90 % en {p90} j au plus</sub>"
    return {"data": [{
        "type": "bar", "x": list(counts), "y": list(counts.values()), "marker": {"color": BLUE},
        "hovertemplate": "%{x} jour(s) : %{y} courrier(s)<extra></extra>",
    }], "layout": _layout(title, large, bargap=0.05,
                          xaxis={"title": {"text": f"Jours ({DELAY_CAP} : {DELAY_CAP} et plus)"}},
                          yaxis=_counts_axis(list(counts.values()), "Courriers traités"))}


def on_time(unit: Mapping[str, Any], floor: float = 80, large: bool = False) -> Figure:
    """A gauge of the share treated by the due date, the alert threshold marked."""
    share = unit["courrier"]["part_a_temps"]
    title = "Traités dans les délais"
    if share is None:
        return _empty(title, "Aucun courrier traité sur la période", large)
    return {"data": [{
        "type": "indicator", "mode": "gauge+number", "value": share,
        "number": {"suffix": " %", "valueformat": ".1f"},
        "gauge": {
            "axis": {"range": [0, 100]},
            "bar": {"color": GREEN if share >= floor else RED},
            "threshold": {"line": {"color": RED, "width": 4}, "value": floor},
        },
    }], "layout": _layout(f"{title}<br><sub>seuil d'alerte : {floor:g} %</sub>", large)}


def demarches(units: Sequence[Mapping[str, Any]], large: bool = False) -> Figure:
    """Share of démarches online per entity against the target."""
    codes = [u["code"] for u in units]
    shares = [u["demarches"]["part_en_ligne"] or 0 for u in units]
    target = units[0]["demarches"]["cible"] if units else 75
    return {"data": [
        {"type": "bar", "name": "En ligne", "x": codes, "y": shares,
         "marker": {"color": [GREEN if s >= target else ORANGE for s in shares]},
         "text": [f"{u['demarches']['en_ligne']}/{u['demarches']['total']}" for u in units],
         "textposition": "auto", "hovertemplate": "%{x} : %{y:.1f} % en ligne<extra></extra>"},
        {"type": "scatter", "mode": "lines", "name": f"Cible {target} %", "x": codes,
         "y": [target] * len(codes), "line": {"color": RED, "dash": "dash", "width": 3}},
    ], "layout": _layout("Démarches en ligne (%) et cible", large,
                         yaxis={"range": [0, 105], "title": {"text": "%"}})}


def plan(progress: Mapping[str, Any] | None, large: bool = False) -> Figure:
    """Progress of the four-week plan by axis."""
    if progress is None:
        return {"data": [], "layout": _layout("Plan en quatre semaines : aucun plan", large)}
    axes = list(reversed(progress["axes"]))
    return {"data": [{
        "type": "bar", "orientation": "h", "x": [a["avancement"] for a in axes],
        "y": [f"Axe {a['numero']}" for a in axes], "marker": {"color": BLUE},
        "text": [f"{a['terminees']}/{a['total']}" for a in axes], "textposition": "auto",
        "customdata": [a["titre"] for a in axes],
        "hovertemplate": "%{customdata} : %{x} %<extra></extra>",
    }], "layout": _layout(f"Plan en quatre semaines — {progress['avancement']} % "
                          f"(semaine {progress['semaine']})", large,
                          xaxis={"range": [0, 100], "title": {"text": "% des tâches"}})}


# The modebar in French, its PNG export included (plotly.js reads ``locales`` from the config).
FRENCH = {
    "dictionary": {
        "Download plot as a png": "Télécharger la figure (PNG)",
        "Download plot": "Télécharger la figure",
        "Zoom": "Zoom", "Pan": "Déplacer", "Zoom in": "Zoom avant", "Zoom out": "Zoom arrière",
        "Autoscale": "Échelle automatique", "Reset axes": "Réinitialiser les axes",
        "Produced with Plotly.js": "Réalisé avec Plotly.js",
        "Double-click to zoom back out": "Double-cliquez pour revenir",
    },
    "format": {
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                   "septembre", "octobre", "novembre", "décembre"],
        "shortMonths": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
                        "sept.", "oct.", "nov.", "déc."],
        "date": "%d/%m/%Y", "decimal": ",", "thousands": " ",
    },
}


def graph_config(name: str) -> dict[str, Any]:
    """dcc.Graph's config: French modebar, PNG download named after the figure."""
    return {
        "locale": "fr", "locales": {"fr": FRENCH}, "displaylogo": False,
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
        "toImageButtonOptions": {"format": "png", "filename": f"supervision-{name}", "scale": 2},
    }
