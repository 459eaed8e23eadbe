"""Request bodies and query arguments of the records-management resources."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas.base import Body, Moment, Text, choice, text
from service.domain.disposition import ACTIONS
from service.domain.document import CLASSIFICATIONS
from usecases.records_reports import COLUMNS

ID_LIST = fields.List(
    fields.UUID(), load_default=list, validate=validate.Length(max=5000)
)


class AsOf(ma.Schema):
    """An optional moment (ISO 8601 with offset); omitted means now."""

    as_of = Moment()


class RecordClassBody(Body):
    """A record class of the file plan."""

    code = text(40)
    title = text(200)
    parent = Text(load_default=None, allow_none=True, validate=validate.Length(max=40))
    retention_class = text(100)
    classification = choice(CLASSIFICATIONS)
    owner = text(200)
    doc_types = fields.List(
        text(100), load_default=list, validate=validate.Length(max=100)
    )


class ReclassifyBody(Body):
    """The class a document moves to (the reason is required)."""

    record_class = text(40)


class MatterHoldBody(Body):
    """A hold over a matter and its selection (at least one criterion)."""

    matter = text(100)
    title = text(200)
    mandate = text()
    project_id = fields.UUID(load_default=None, allow_none=True)
    record_class = Text(
        load_default=None, allow_none=True, validate=validate.Length(max=40)
    )
    query = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    document_ids = ID_LIST


class ProposalBody(Body):
    """Records proposed for one disposal action."""

    action = choice(ACTIONS)
    document_ids = fields.List(
        fields.UUID(), required=True, validate=validate.Length(min=1, max=5000)
    )
    note = text()


class WorklistArgs(AsOf):
    """Records due by the day asked plus within_days, optionally narrowed."""

    within_days = fields.Integer(load_default=0, validate=validate.Range(0, 36_500))
    record_class = Text(load_default=None, validate=validate.Length(max=40))
    project_id = fields.UUID(load_default=None)
    action = Text(
        load_default=None, validate=validate.OneOf(("destroy", "review", "transfer"))
    )


REPORTS = tuple(COLUMNS)
