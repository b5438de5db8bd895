"""The JSON schema of the figures, as the API documents them (the tests hold it to the truth)."""

from __future__ import annotations

from typing import Any

from core.openapi import Schema, strict_object
from courrier.models import CHANNELS

_INT = {"type": "integer"}
_TEXT = {"type": "string"}
_PERCENT = {"type": ["number", "null"], "description": "Pourcentage au dixième ; null sans base."}
_MAYBE_INT = {"type": ["integer", "null"]}
_COUNTS = {"type": "object", "additionalProperties": _INT}


def _per_channel() -> dict[str, Any]:
    return strict_object({channel: _INT for channel in CHANNELS})


COURRIER = strict_object({
    "enregistres": {**_INT, "description": "Courriers arrivée et interne enregistrés."},
    "par_canal": _per_channel(),
    "departs": _INT,
    "imputes": {**_INT, "description": "Premières imputations."},
    "traites": {**_INT, "description": "Répondus ou classés sans suite."},
    "repondus": _INT,
    "clos": _INT,
    "annules": _INT,
    "a_temps": {**_INT, "description": "Traités au plus tard à leur échéance (ou sans échéance)."},
    "part_a_temps": _PERCENT,
    "delai_traitement_jours": strict_object({
        "mediane": _MAYBE_INT,
        "p90": _MAYBE_INT,
        "distribution": {"type": "array", "items": strict_object({"jours": _INT,
                                                                  "nombre": _INT})},
    }),
    "delai_imputation_heures": strict_object({"mediane": _MAYBE_INT, "p90": _MAYBE_INT}),
    "en_cours": {**_INT, "description": "Courriers ouverts aujourd'hui."},
    "anciennete": strict_object({"0-7": _INT, "8-15": _INT, "16-30": _INT, "plus_30": _INT}),
    "en_retard": _INT,
    "part_en_retard": _PERCENT,
    "avis_en_attente": strict_object({
        "nombre": _INT,
        "age_moyen_jours": {"type": ["number", "null"]},
        "plus_ancien_jours": _MAYBE_INT,
        "en_retard": _INT,
    }),
    "par_service": {"type": "array", "items": strict_object({"code": _TEXT, "nom": _TEXT,
                                                             "traites": _INT})},
    "par_jour": {"type": "array", "items": strict_object({
        "jour": {**_TEXT, "format": "date"},
        "enregistres": _INT,
        "par_canal": _per_channel(),
        "traites": _INT,
    })},
})
GED = strict_object({
    "documents": _INT,
    "versions_lues": _INT,
    "pages": _INT,
    "pages_ocr": _INT,
    "confiance_ocr_moyenne": {"type": ["number", "null"]},
    "echecs": {**_INT, "description": "Lectures échouées pendant la période."},
    "en_attente_lecture": {**_INT, "description": "Versions en attente de lecture, maintenant."},
    "en_echec": {**_INT, "description": "Versions dont la lecture a échoué, maintenant."},
})
DEMARCHES = strict_object({
    "total": _INT,
    "en_ligne": _INT,
    "part_en_ligne": _PERCENT,
    "cible": {**_INT, "description": "75 %, ou 100 % pour un ministère suivant le plan."},
    "cible_atteinte": {"type": "boolean"},
    "publication": {**_COUNTS, "description": "Démarches par état de publication."},
    "dossiers": {**_COUNTS, "description": "Dossiers du portail par état."},
})
ALERTE = strict_object({
    "code": {"enum": ["retard", "delais", "lecture", "publication", "avis", "demarches"]},
    "message": _TEXT,
    "valeur": {"type": "number"},
    "seuil": {"type": "number"},
})
ENTITE = strict_object({
    "code": _TEXT,
    "nom": _TEXT,
    "courrier": COURRIER,
    "ged": GED,
    "demarches": DEMARCHES,
    "alertes": {"type": "array", "items": ALERTE},
})
_TALLY = {"terminees": _INT, "total": _INT, "avancement": _INT}
PLAN = {
    "oneOf": [
        {"type": "null"},
        strict_object({
            "debut": {**_TEXT, "format": "date"},
            "semaine": _INT,
            "avancement": _INT,
            "taches_terminees": _INT,
            "taches": _INT,
            "axes": {"type": "array",
                     "items": strict_object({"numero": _INT, "titre": _TEXT, **_TALLY})},
            "semaines": {"type": "array", "items": strict_object({"semaine": _INT, **_TALLY})},
            "en_retard": {"type": "array", "items": strict_object({
                "code": _TEXT, "titre": _TEXT, "semaine": _INT})},
        }),
    ]
}
KPIS = Schema("IndicateursSupervision", strict_object({
    "periode": strict_object({"du": {**_TEXT, "format": "date"},
                              "au": {**_TEXT, "format": "date"}, "jours": _INT}),
    "calcule_le": {**_TEXT, "format": "date-time"},
    "evenements_en_attente": {**_INT, "description": "Événements pas encore comptés."},
    "ensemble": ENTITE,
    "entites": {"type": "array", "items": ENTITE},
    "plan": PLAN,
}))
EVENEMENT = Schema("EvenementSupervision", strict_object({
    "numero": _INT,
    "quand": {**_TEXT, "format": "date-time"},
    "heure": _TEXT,
    "entite": _TEXT,
    "qui": _TEXT,
    "quoi": _TEXT,
    "objet": _TEXT,
}))
