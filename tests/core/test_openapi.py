"""The OpenAPI document is valid, covers every API route, and tells the truth about them."""

from __future__ import annotations

import re

import pytest
from flask import Blueprint, Flask
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from core.app import create_app
from core.auth import create_token
from core.openapi import Param, Schema, UndocumentedRoute, api_rules, build_document, operation
from tests.conftest import make_test_settings
from tests.factories import make_demarche, make_ministry, make_user

ANY_OBJECT = Schema("Objet", {"type": "object"})
ERROR_REF = {"$ref": "#/components/schemas/Erreur"}
# A value for each path variable, so that every documented path can be called.
SAMPLE_ARGUMENTS = {"code": "CEET", "id": "1", "numero": "1"}


@pytest.fixture
def bare_app(tmp_path) -> Flask:
    """The real application, for what needs its routes and not its database."""
    return create_app(make_test_settings(tmp_path, f"sqlite:///{tmp_path / 'inutilisee.db'}"))


@pytest.fixture
def document(bare_app) -> dict:
    return build_document(bare_app)


def operations(document: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
    ]


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: SAMPLE_ARGUMENTS[match[1]], path)


def test_document_is_valid_openapi_3_1(document):
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_every_api_rule_and_method_is_in_the_document(bare_app, document):
    rules = api_rules(bare_app)
    assert rules, "the API has no route"
    documented = {(path, method) for path, method, _op in operations(document)}
    for rule in rules:
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, f"{rule.rule} {method} is not documented"


def test_every_operation_has_a_summary_and_an_error_schema(document):
    for path, method, op in operations(document):
        assert op["summary"], f"{method} {path}"
        for status, response in op["responses"].items():
            if status.startswith("4"):
                assert response["content"]["application/json"]["schema"] == ERROR_REF


def small_api(*views) -> Flask:
    app = Flask(__name__)
    bp = Blueprint("essai", __name__, url_prefix="/api/v1")
    for rule, view in views:
        bp.add_url_rule(rule, view_func=view)
    app.register_blueprint(bp)
    return app


def test_route_without_operation_fails_the_document():
    def undocumented() -> str:
        """Une route oubliée."""
        return ""

    with pytest.raises(UndocumentedRoute, match="undocumented"):
        build_document(small_api(("/oubli", undocumented)))


def test_route_without_docstring_fails_the_document():
    @operation(responses={200: ANY_OBJECT})
    def silent() -> str:
        return ""

    with pytest.raises(UndocumentedRoute, match="silent"):
        build_document(small_api(("/muet", silent)))


def test_parameters_come_from_the_rule_and_the_declaration():
    @operation(
        responses={200: ANY_OBJECT},
        params=[
            Param("numero", "Numéro du courrier."),
            Param("depuis", "Date de début.", required=True),
        ],
    )
    def one() -> str:
        """Un courrier.

        Avec ses pièces jointes.
        """
        return ""

    document = build_document(small_api(("/courriers/<int:numero>/pieces/<path:nom>", one)))
    op = document["paths"]["/api/v1/courriers/{numero}/pieces/{nom}"]["get"]
    assert op["summary"] == "Un courrier."
    assert op["description"] == "Avec ses pièces jointes."
    assert op["parameters"] == [
        {"name": "numero", "in": "path", "required": True, "description": "Numéro du courrier.",
         "schema": {"type": "integer"}},
        {"name": "nom", "in": "path", "required": True, "description": "nom",
         "schema": {"type": "string"}},
        {"name": "depuis", "in": "query", "required": True, "description": "Date de début.",
         "schema": {"type": "string"}},
    ]
    assert set(op["responses"]) == {"200", "401"}
    validate(document)


def test_document_is_served_without_a_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate(response.get_json())


def test_operations_require_a_token_exactly_when_the_document_says_so(client, document):
    for path, method, op in operations(document):
        response = client.open(concrete(path), method=method.upper())
        protected = op.get("security", document["security"]) != []
        assert (response.status_code == 401) == protected, f"{method} {path}"


def test_responses_match_their_documented_schemas(client, db_session, document):
    tree = make_ministry(db_session)
    make_demarche(db_session, tree["CEET"])
    admin = make_user(db_session, tree["MDERM"], roles=("admin",))
    _token, clear = create_token(db_session, admin.login, "tests")
    headers = {"Authorization": f"Bearer {clear}"}
    for path, method, op in operations(document):
        response = client.open(concrete(path), method=method.upper(), headers=headers)
        documented = op["responses"].get(str(response.status_code))
        assert documented, f"{method} {path} answered an undocumented {response.status_code}"
        schema = documented["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": document["components"]})
        errors = [error.message for error in validator.iter_errors(response.get_json())]
        assert not errors, f"{method} {path}: {errors}"
