"""Request bodies and arguments of the document custody commands."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.base import Body, Text, choice, text
from service.domain.document import CLASSIFICATIONS


class DocumentRegistration(Body):
    """A new configuration item."""

    title = text(200)
    doc_type = text(100)
    classification = choice(CLASSIFICATIONS)
    retention_class = text(100)
    owner = text(200)


class UploadArgs(Body):
    """Query arguments of an upload (the filename may also come in X-Filename)."""

    class Meta:
        unknown = "exclude"

    filename = Text(load_default=None, validate=validate.Length(min=1, max=255))
    comment = Text(load_default="", validate=validate.Length(max=10_000))


class CopyIssue(Body):
    """A copy of a version issued to a recipient, for a purpose."""

    number = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    recipient = text(200)
    purpose = text()


class HoldPlacement(Body):
    """A legal hold that blocks disposal."""

    hold_id = Text(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._-]{1,100}$"))
    title = text(200)
    mandate = text()
