"""Reading an inventory (YAML or Excel): typed rows, and every error with its location."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook

from core.errors import ValidationError
from core.identity import ROLES
from core.onboarding import Inventory, InventoryError, load_inventory

INVENTORIES = Path(__file__).parent / "inventories"
DEMO = Path(__file__).parents[2] / "core" / "data" / "demo-ministere.yaml"
MINISTRY = "ministere: {code: M, nom: N}\n"
TYPES = "(attendu : tutelle, direction, cabinet, service)"


def errors_of(path: Path) -> list[str]:
    with pytest.raises(InventoryError) as caught:
        load_inventory(path)
    return caught.value.messages


def write_yaml(tmp_path: Path, text: str, name: str = "inventaire.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = "; ".join(value) if isinstance(value, list) else value
    return flat


def write_workbook(path: Path, document: dict[str, Any]) -> Path:
    """The workbook a person would fill in for ``document`` (the YAML structure)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "ministere"
    sheet.append(["cle", "valeur"])
    for key, value in document["ministere"].items():
        sheet.append([key, value])
    if "plan" in document:
        sheet.append(["plan.debut", document["plan"]["debut"]])
    for section in ("entites", "utilisateurs", "demarches"):
        if section not in document:
            continue
        rows = [_flat(record) for record in document[section]]
        columns = list(dict.fromkeys(key for row in rows for key in row))
        sheet = book.create_sheet(section)
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column) for column in columns])
    book.save(path)
    return path


def without_locations(inventory: Inventory) -> Inventory:
    def strip(rows: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(dataclasses.replace(row, where="") for row in rows)

    return dataclasses.replace(
        inventory,
        source="",
        ministry=dataclasses.replace(inventory.ministry, where=""),
        entities=strip(inventory.entities),
        users=strip(inventory.users),
        demarches=strip(inventory.demarches),
    )


def test_valid_yaml_becomes_typed_rows_with_their_line():
    inventory = load_inventory(INVENTORIES / "valid.yaml")
    assert inventory.ministry.code == "MTEST"
    assert inventory.plan_start == date(2025, 11, 5)
    tut = next(e for e in inventory.entities if e.code == "T-TUT")
    assert tut.parent == "MTEST"  # no parent: the ministry
    assert tut.delays == {"normale": 30, "urgente": 8, "tres_urgente": 4}
    assert tut.where == "valid.yaml:10"
    bo = next(u for u in inventory.users if u.login == "t.bo")
    assert bo.roles == ("bureau_ordre", "chef_service")
    first, second = inventory.demarches
    assert first.cost_amount == 25000 and first.online and first.pieces[1] == "Plan de situation"
    assert first.online_url == "https://portail.exemple.tg/t-dem-1"
    assert (second.cost_amount, second.cost_currency, second.online, second.delay_days) == (
        0,
        "XOF",
        False,
        None,
    )


def test_entities_come_parents_first_whatever_the_file_order():
    codes = [e.code for e in load_inventory(INVENTORIES / "valid.yaml").entities]
    assert codes.index("T-TUT") < codes.index("T-SERV")


def test_demo_inventory_is_valid_and_covers_every_role():
    inventory = load_inventory(DEMO)
    assert inventory.ministry.code == "MDERM"
    assert {"CEET", "AT2ER", "ARSE", "DGE", "DGMG"} <= {e.code for e in inventory.entities}
    assert {role for user in inventory.users for role in user.roles} == set(ROLES)
    assert len(inventory.demarches) >= 10


def test_inventory_error_is_a_validation_error_listing_every_message():
    error = InventoryError(["a.yaml:1 : un", "a.yaml:2 : deux"])
    assert isinstance(error, ValidationError)
    assert str(error) == "a.yaml:1 : un\na.yaml:2 : deux"


def test_bad_yaml_is_reported_at_the_line_where_the_mistake_starts():
    assert errors_of(INVENTORIES / "syntax-error.yaml") == [
        "syntax-error.yaml:6 : YAML invalide : guillemet ou crochet non fermé "
        "(found unexpected end of stream)"
    ]


def test_every_error_of_the_file_is_reported_at_its_line_in_reading_order():
    assert errors_of(INVENTORIES / "many-errors.yaml") == [
        "many-errors.yaml:8 : code d'entité « T-TUT » en double (déjà défini : many-errors.yaml:5)",
        "many-errors.yaml:11 : entité parente inconnue « NULLE-PART »",
        f"many-errors.yaml:17 : type d'entité inconnu « agence » {TYPES}",
        "many-errors.yaml:18 : champ obligatoire « nom » manquant",
        "many-errors.yaml:20 : « delais.normale » doit être un nombre entier (reçu « trente »)",
        "many-errors.yaml:24 : adresse e-mail invalide « pas-une-adresse »",
        "many-errors.yaml:26 : rôle inconnu « magicien » "
        "(attendu : admin, bureau_ordre, chef_service, agent, responsable, superviseur)",
        "many-errors.yaml:27 : identifiant « u.one » en double (déjà défini : many-errors.yaml:22)",
        "many-errors.yaml:30 : entité inconnue « T-FANTOME »",
        "many-errors.yaml:32 : champ obligatoire « email » manquant",
        "many-errors.yaml:34 : clé inconnue « emial » dans utilisateurs",
        "many-errors.yaml:40 : « cout.montant » doit être positif ou nul (reçu -5)",
        "many-errors.yaml:41 : « en_ligne » doit valoir oui ou non (reçu « peut-être »)",
        "many-errors.yaml:43 : « debut » doit être une date AAAA-MM-JJ ou JJ/MM/AAAA "
        "(reçu « demain »)",
    ]


def test_parent_cycle_is_reported_once_with_its_path():
    assert errors_of(INVENTORIES / "cycle.yaml") == [
        "cycle.yaml:5 : cycle dans l'arborescence : T-A → T-C → T-B → T-A"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("entites: []\n", "inventaire.yaml:1 : section « ministere » absente"),
        (
            MINISTRY + "entite: []\n",
            "inventaire.yaml:2 : section inconnue « entite » "
            "(attendu : ministere, plan, entites, utilisateurs, demarches)",
        ),
        (
            MINISTRY + "entites: {code: A}\n",
            "inventaire.yaml:2 : « entites » doit être une liste",
        ),
        (
            MINISTRY + "entites:\n  - A\n",
            "inventaire.yaml:2 : l'élément n°1 de « entites » doit être un dictionnaire",
        ),
        (
            "ministere:\n  code: M\n  nom: N\n  code: M2\n",
            "inventaire.yaml:4 : clé « code » répétée",
        ),
        (
            MINISTRY + "demarches:\n  - {code: D, titre: T, entite: M, cout: 100}\n",
            "inventaire.yaml:3 : « cout » doit regrouper les clés montant, devise",
        ),
        (
            MINISTRY + "entites:\n  - {code: M, nom: Bis, type: direction}\n",
            "inventaire.yaml:3 : code d'entité « M » en double (déjà défini : inventaire.yaml:1)",
        ),
        (
            MINISTRY + "demarches:\n  - {code: D, titre: T, entite: M, public: [touristes]}\n",
            "inventaire.yaml:3 : public inconnu « touristes » "
            "(attendu : citoyens, entreprises, associations, administrations)",
        ),
        (
            MINISTRY + "demarches:\n  - {code: D, titre: T, entite: M, url: www.x.tg}\n",
            "inventaire.yaml:3 : adresse en ligne invalide « www.x.tg » (http:// ou https://)",
        ),
        (
            MINISTRY
            + "demarches:\n  - code: D\n    titre: T\n    entite: M\n    delai_jours: 2.5\n",
            "inventaire.yaml:6 : « delai_jours » doit être un nombre entier",
        ),
        (
            MINISTRY + "entites:\n  - {code: " + "X" * 41 + ", nom: N, type: service}\n",
            "inventaire.yaml:3 : « code » dépasse 40 caractères",
        ),
    ],
)
def test_each_kind_of_mistake_is_named_with_its_line(tmp_path, text, expected):
    assert errors_of(write_yaml(tmp_path, text)) == [expected]


def test_a_file_that_is_not_yaml_or_excel_is_refused(tmp_path):
    assert errors_of(write_yaml(tmp_path, "x", name="inventaire.csv")) == [
        "inventaire.csv : format inconnu : un fichier .yaml ou .xlsx est attendu"
    ]


def test_accents_and_capitals_in_keys_are_accepted(tmp_path):
    path = write_yaml(
        tmp_path, "Ministère: {Code: M, Nom: N}\nEntités:\n  - {code: A, nom: A, type: service}\n"
    )
    assert [e.code for e in load_inventory(path).entities] == ["A"]


def test_a_list_can_be_written_as_text_separated_by_semicolons(tmp_path):
    path = write_yaml(
        tmp_path,
        MINISTRY + "utilisateurs:\n"
        "  - {login: a, nom: A, email: a@b.tg, entite: M, roles: 'agent; admin'}\n",
    )
    assert load_inventory(path).users[0].roles == ("agent", "admin")


def test_an_absent_section_is_not_described_by_the_file(tmp_path):
    inventory = load_inventory(write_yaml(tmp_path, MINISTRY + "entites: []\n"))
    assert inventory.sections == frozenset({"entites"})


# Excel ------------------------------------------------------------------------------------


def test_excel_workbook_reads_exactly_like_the_same_yaml(tmp_path):
    document = yaml.safe_load((INVENTORIES / "valid.yaml").read_text(encoding="utf-8"))
    from_excel = load_inventory(write_workbook(tmp_path / "inventaire.xlsx", document))
    from_yaml = load_inventory(INVENTORIES / "valid.yaml")
    assert without_locations(from_excel) == without_locations(from_yaml)
    assert from_excel.users[0].where == "inventaire.xlsx, feuille utilisateurs, ligne 2"


def test_excel_missing_column_names_the_sheet_and_stops_there(tmp_path):
    document = {
        "ministere": {"code": "M", "nom": "N"},
        "utilisateurs": [{"login": "a", "nom": "A", "entite": "M"}],
    }
    assert errors_of(write_workbook(tmp_path / "inventaire.xlsx", document)) == [
        "inventaire.xlsx, feuille utilisateurs : colonne obligatoire « email » absente"
    ]


def test_excel_unknown_column_and_missing_ministry_sheet_are_reported(tmp_path):
    book = Workbook()
    book.active.title = "entites"
    book.active.append(["code", "nom", "type", "couleur"])
    book.save(tmp_path / "inventaire.xlsx")
    assert errors_of(tmp_path / "inventaire.xlsx") == [
        "inventaire.xlsx : feuille « ministere » absente",
        "inventaire.xlsx, feuille entites : colonne inconnue « couleur »",
    ]


def test_excel_row_errors_name_the_sheet_and_the_row(tmp_path):
    document = {
        "ministere": {"code": "M", "nom": "N"},
        "plan": {"debut": "31/02/2025"},
        "entites": [
            {"code": "A", "nom": "A", "type": "service"},
            {"code": "B", "nom": "B", "type": "agence"},
        ],
        "demarches": [{"code": "D", "titre": "T", "entite": "Z", "cout": {"montant": "beaucoup"}}],
    }
    assert errors_of(write_workbook(tmp_path / "inventaire.xlsx", document)) == [
        f"inventaire.xlsx, feuille entites, ligne 3 : type d'entité inconnu « agence » {TYPES}",
        "inventaire.xlsx, feuille demarches, ligne 2 : « cout.montant » doit être un nombre entier "
        "(reçu « beaucoup »)",
        "inventaire.xlsx, feuille demarches, ligne 2 : entité inconnue « Z »",
        "inventaire.xlsx, feuille ministere, ligne 4 : « debut » doit être une date "
        "AAAA-MM-JJ ou JJ/MM/AAAA (reçu « 31/02/2025 »)",
    ]


def test_excel_cells_typed_by_the_spreadsheet_are_understood(tmp_path):
    document = {
        "ministere": {"code": "M", "nom": "N"},
        "plan": {"debut": date(2025, 11, 5)},
        "demarches": [
            {
                "code": 1234,
                "titre": "T",
                "entite": "M",
                "cout": {"montant": 1500.0},
                "en_ligne": "oui",
                "delai_jours": "15",
            }
        ],
    }
    inventory = load_inventory(write_workbook(tmp_path / "inventaire.xlsx", document))
    demarche = inventory.demarches[0]
    assert (demarche.code, demarche.cost_amount, demarche.online, demarche.delay_days) == (
        "1234",
        1500,
        True,
        15,
    )
    assert inventory.plan_start == date(2025, 11, 5)


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "inventaire.xlsx"
    path.write_text("pas un classeur")
    [message] = errors_of(path)
    assert message.startswith("inventaire.xlsx : classeur Excel illisible")
