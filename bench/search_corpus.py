"""The search benchmark's corpus: French administrative documents, labelled and timed queries.

Deterministic for a seed: the same documents, the same 50 timed queries and the same 50
labelled queries (each with the one document it must return) on every engine.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

ENTITIES = ("MDERM", "CEET", "AT2ER", "ARSE", "SOTOGAZ", "CEB", "DGE", "DAF", "DRH", "DEP",
            "CEET-COM", "CEET-DT", "AT2ER-DT", "ARSE-DJ", "DGE-DER", "DAF-SCP", "DRH-SGP",
            "DEP-SSE", "CEET-DF", "MDERM-CAB")
TYPES = ("lettre", "arrete", "rapport", "facture", "note", "compte_rendu")
PLACES = ("Lomé", "Kara", "Sokodé", "Atakpamé", "Kpalimé", "Dapaong", "Tsévié", "Aného",
          "Bassar", "Mango", "Notsé", "Badou", "Vogan", "Tabligbo", "Sotouboua", "Agoè")
PEOPLE = ("Ama Agbéko", "Kodjo Amégan", "Yawa Mensah", "Komi Adjavon", "Essowé Kpatcha",
          "Afi Lawson", "Kossi Dogbé", "Abla Tchalla", "Edem Akakpo", "Mawuli Ahadji")
SUBJECTS = ("raccordement au réseau électrique", "extension du réseau rural",
            "facturation de la consommation d'électricité", "installation de compteurs prépayés",
            "électrification des écoles", "subvention des kits solaires",
            "renouvellement des poteaux électriques", "réclamation sur une coupure de courant",
            "tarification sociale de l'électricité", "entretien des lampadaires publics",
            "construction d'une mini-centrale solaire", "audit des marchés publics",
            "nomination d'un directeur régional", "budget de fonctionnement",
            "recrutement de techniciens", "régulation du secteur de l'énergie")
# Sentences by kind of document; a document draws from its own kind's and the shared ones.
SHARED = (
    "Suite à notre réunion du {day} à {place}, je vous transmets le dossier relatif à la "
    "{subject}.",
    "Le directeur général de la {entity} a demandé un rapport détaillé sur la situation.",
    "Madame {person} est chargée du suivi de ce dossier auprès des services compétents.",
    "Une mission d'inspection se rendra à {place} pour constater l'état des installations.",
)
SENTENCES = {
    "lettre": (
        "J'ai l'honneur de solliciter votre bienveillante attention au sujet de la {subject}.",
        "Les habitants du quartier de {place} signalent des coupures répétées depuis "
        "plusieurs semaines.",
        "Je vous prie de bien vouloir examiner ma demande de raccordement déposée le {day}.",
        "Veuillez agréer, Monsieur le Directeur, l'expression de ma considération distinguée.",
    ),
    "arrete": (
        "Vu la loi portant code de l'électricité et ses textes d'application ;",
        "Le ministre a signé l'arrêté portant nomination des membres du comité de pilotage.",
        "Les échéances fixées par l'arrêté n°{num}/{entity} n'ont pas été respectées.",
        "Article {num} : le présent arrêté prend effet à compter du {day}.",
    ),
    "rapport": (
        "Le présent rapport présente les résultats obtenus et les difficultés rencontrées.",
        "Les travaux de {subject} dans la préfecture de {place} ont commencé le {day}.",
        "Les indicateurs de performance du réseau se sont améliorés au cours de l'exercice "
        "{year}.",
        "La commission technique examinera les demandes de raccordement lors de sa prochaine "
        "session.",
    ),
    "facture": (
        "Le montant total s'élève à {amount} francs CFA, payable avant le {day}.",
        "Conformément aux dispositions en vigueur, les factures impayées seront recouvrées.",
        "Les compteurs installés à {place} présentent des anomalies de facturation.",
        "Le relevé d'index du compteur n°{num} fait apparaître une consommation anormale.",
    ),
    "note": (
        "Les crédits inscrits au budget de l'exercice {year} permettront de financer ces "
        "travaux.",
        "Les chefs de service veilleront à l'application stricte de la présente note.",
        "Le recrutement de techniciens pour {place} sera lancé avant le {day}.",
        "Toute absence non justifiée fera l'objet d'une retenue sur salaire.",
    ),
    "compte_rendu": (
        "La séance a été ouverte à {num} heures sous la présidence de {person}.",
        "Les participants ont examiné l'état d'avancement de la {subject}.",
        "Il a été décidé de programmer une visite de terrain à {place} le {day}.",
        "L'ordre du jour étant épuisé, la séance a été levée.",
    ),
}
TITLES = {
    "lettre": "Lettre de {person} : {subject}",
    "arrete": "Arrêté n°{num}/{entity} portant {subject}",
    "rapport": "Rapport sur la {subject} à {place}",
    "facture": "Facture de {subject}",
    "note": "Note de service relative à la {subject}",
    "compte_rendu": "Compte rendu de la réunion sur la {subject}",
}
SYLLABLES = ("ko", "dé", "ma", "tsi", "agou", "kpé", "lo", "vé", "zo", "ni", "bè", "wu", "da")
START = date(2022, 1, 1)


@dataclass(frozen=True)
class Doc:
    number: int
    entity: str
    doc_type: str
    day: date
    title: str
    text: str
    chrono: str


@dataclass(frozen=True)
class Labelled:
    query: str
    number: int


def _needle(rng: random.Random, taken: set[str]) -> str:
    """A made-up locality name found in no other document."""
    while True:
        name = "".join(rng.choice(SYLLABLES) for _ in range(4)).capitalize()
        if name not in taken:
            taken.add(name)
            return name


def _fill(rng: random.Random, template: str, entity: str, day: date,
          topic: tuple[str, str] | None = None) -> str:
    subject, place = topic or (rng.choice(SUBJECTS), rng.choice(PLACES))
    return template.format(
        subject=subject, place=place, person=rng.choice(PEOPLE),
        entity=entity, num=f"{rng.randrange(1, 9999):04d}", amount=f"{rng.randrange(1, 999)} 000",
        day=(day + timedelta(days=rng.randrange(-60, 60))).strftime("%d/%m/%Y"), year=day.year,
    )


def _page(rng: random.Random, doc_type: str, entity: str, day: date,
          topic: tuple[str, str]) -> str:
    """One page on the document's topic, mostly in its kind's own sentences."""
    pool = SENTENCES[doc_type] + SHARED
    return " ".join(_fill(rng, rng.choice(pool), entity, day, topic)
                    for _ in range(rng.randrange(12, 20)))


def _needle_sentences(name: str, chrono: str, reference: str) -> str:
    return (f" Le raccordement de la localité de {name} relève du dossier {chrono}. "
            f"Les échéances de {name} sont rappelées dans la lettre {reference}.")


def labelled_query(kind: int, name: str, chrono: str, reference: str) -> str:
    """Five ways staff remember a letter: name, forms, phrase, prefix, identifiers."""
    folded = name.lower().replace("é", "e").replace("è", "e")
    return (f"raccordements {folded}", f"echeance {name}", f'"localité de {name}"',
            f"{folded[:6]}* echeances", chrono if kind % 2 else reference)[kind % 5]


def generate(count: int, seed: int = 2026) -> tuple[list[Doc], list[Labelled]]:
    """``count`` documents (1 to 3 pages), and 50 labelled queries on evenly spread ones."""
    rng = random.Random(seed)
    step = max(count // 50, 1)
    taken: set[str] = set()
    docs: list[Doc] = []
    labelled: list[Labelled] = []
    for number in range(1, count + 1):
        entity, doc_type = rng.choice(ENTITIES), rng.choice(TYPES)
        day = START + timedelta(days=rng.randrange(5 * 365))
        chrono = f"{entity}-{rng.choice('ADI')}-{day.year}-{number:06d}"
        topic = (rng.choice(SUBJECTS), rng.choice(PLACES))
        pages = [_page(rng, doc_type, entity, day, topic) for _ in range(rng.randrange(1, 4))]
        text = f"Référence : {chrono} — N°{number:05d}/{entity}\n" + "\f".join(pages)
        if number % step == 0 and len(labelled) < 50:
            name, reference = _needle(rng, taken), f"N°{number:05d}/{entity}"
            text += _needle_sentences(name, chrono, reference)
            labelled.append(Labelled(labelled_query(len(labelled), name, chrono, reference),
                                     number))
        title = _fill(rng, TITLES[doc_type], entity, day, topic)
        docs.append(Doc(number, entity, doc_type, day, title, text, chrono))
    return docs, labelled


def timed_queries(docs: list[Doc]) -> list[tuple[str, dict[str, object]]]:
    """The 50 timed queries: words, several words, phrases, prefixes, filters, identifiers."""
    rng = random.Random(7)
    single = ["raccordement", "factures", "echeance", "electricite", "arrete", "subventions",
              "compteur", "lome", "kara", "budget", "reclamations", "tarification"]
    several = ["raccordement quartier lome", "facture electricite impayees",
               "arrete nomination directeur", "coupures courant kara", "compteurs prepayes sokode",
               "budget fonctionnement exercice", "rapport inspection installations",
               "kits solaires subvention", "poteaux electriques renouvellement",
               "mission inspection dapaong", "commission technique raccordement",
               "ecoles electrification kpalime"]
    phrases = ['"réseau électrique"', '"demande de raccordement"', '"factures impayées"',
               '"comité de pilotage"', '"coupures répétées"', '"mini-centrale solaire"',
               '"directeur général"', '"considération distinguée"']
    prefixes = ["raccord*", "electr*", "subv*", "factur*", "compt*", "lampad*", "recrut*",
                "regul*"]
    filtered: list[tuple[str, dict[str, object]]] = [
        ("raccordement", {"entity": "CEET"}), ("facture", {"doc_type": "facture"}),
        ("echeances", {"year": 2024}), ("budget", {"entity": "DAF", "year": 2023}),
        ("raccordement -facture", {}), ("arrete -nomination", {"doc_type": "arrete"}),
    ]
    identifiers = [doc.chrono for doc in rng.sample(docs, 2)]
    identifiers += [f"N°{doc.number:05d}/{doc.entity}" for doc in rng.sample(docs, 2)]
    return ([(q, {}) for q in single + several + phrases + prefixes] + filtered
            + [(q, {}) for q in identifiers])


def iterate(docs: list[Doc], size: int) -> Iterator[list[Doc]]:
    for start in range(0, len(docs), size):
        yield docs[start:start + size]
