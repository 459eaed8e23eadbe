"""The PMO library: the office's own documents, and documents that come from them.

A library document is an ordinary `Document` whose project is the office
(`PORTFOLIO_ID`): terms of reference, the governance framework, guidelines,
procedures, templates and the repository of good project documentation. Every
custody rule applies to it unchanged. Two commands derive one document from a
version of another, in one commit, recording `OriginRecorded` before the
first version (whose content is the source version's, by its SHA-256):

- a project starts a document from an approved version of a library template;
- a project document's version is nominated into the good-practice repository,
  where it is reviewed and approved (accepted) like any version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from uuid import UUID

from service.application import Written
from service.custody import CustodyCommands
from service.domain.base import InvalidValueError, Meta, TransitionError
from service.domain.document import Document
from service.domain.register import PORTFOLIO_ID

LIBRARY_TYPES: Final = (
    "terms-of-reference",
    "governance-framework",
    "guideline",
    "procedure",
    "template",
    "good-practice",
)
"""The kinds of document the library holds (its documents' `doc_type`)."""
TEMPLATE: Final = "template"
GOOD_PRACTICE: Final = "good-practice"


@dataclass(frozen=True)
class Derivation:
    """A new document begun from one version of another."""

    relation: str
    source_id: UUID
    number: int
    project_id: UUID
    title: str
    doc_type: str
    classification: str
    retention_class: str
    owner: str


class LibraryCommands(CustodyCommands):
    """Register library documents; start from a template; nominate good practice."""

    def register_library_document(
        self,
        title: str,
        doc_type: str,
        classification: str,
        retention_class: str,
        owner: str,
        meta: Meta,
    ) -> Written:
        """Register one of the office's own documents (a kind the library holds)."""
        check_library_type(doc_type)
        return self.register_document(
            PORTFOLIO_ID, title, doc_type, classification, retention_class, owner, meta
        )

    def derive_document(self, derivation: Derivation, meta: Meta) -> Written:
        """Register the new document, its origin and its first version together."""
        self.retention_history().current.schedule.get(derivation.retention_class)
        with self.one_check():
            source = self.load(Document, derivation.source_id)
            source.check_active("take a version of")
            if derivation.relation == "template":
                check_template(source)
            elif source.project_id == PORTFOLIO_ID:
                raise InvalidValueError(
                    "document_id", "must be a project's document, not the library's"
                )
            version = source.get_version(derivation.number)
            if derivation.relation == "template" and version.status != "approved":
                raise TransitionError(
                    "template version", "start a document from", version.status
                )
            self.check_open(derivation.project_id, "start a document in")
            document = Document.register(
                derivation.project_id,
                derivation.title,
                derivation.doc_type,
                derivation.classification,
                derivation.retention_class,
                derivation.owner,
                meta,
            )
            document.record_origin(derivation.relation, source, version.number, meta)
            document.submit_version(
                version.sha256,
                version.size,
                version.media_type,
                version.filename,
                f"{derivation.relation} {source.title} v{version.number}",
                meta,
            )
            return self.create(document)


def check_library_type(doc_type: str) -> None:
    """Refuse a kind of document the library does not hold."""
    if doc_type not in LIBRARY_TYPES:
        kinds = ", ".join(LIBRARY_TYPES)
        raise InvalidValueError("doc_type", f"must be one of {kinds}")


def check_template(source: Document) -> None:
    """A document starts only from a template of the library."""
    if source.project_id != PORTFOLIO_ID or source.doc_type != TEMPLATE:
        raise InvalidValueError("template_id", "must be a template of the library")
