"""The demo ministry gets documents of each kind, once."""

from __future__ import annotations

from ged.demo.load import load_demo_documents
from ged.models import Document


def test_demo_documents_of_each_kind_are_added_once(db_session, ministry):
    assert load_demo_documents(db_session, count=1) == 4
    kinds = sorted(d.current.kind for d in db_session.query(Document))
    assert kinds == ["jpeg", "jpeg", "pdf", "tiff"]
    assert load_demo_documents(db_session, count=1) == 0
