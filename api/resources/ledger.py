"""The integrity ledger over HTTP: signed heads, proofs, public key, evidence packs.

Read-only; the roles (auditor, pmo-head) are enforced by api/auth.py.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Any
from uuid import UUID

import marshmallow as ma
from flask import Response, current_app, jsonify
from flask_smorest import Blueprint

from api.auth import request_meta
from api.errors import ApiError
from api.resources.common import problems
from integrity.proofs import LedgerReader, NoHeadError
from integrity.signing import (
    SignedTreeHead,
    load_or_create_private_key,
    load_public_key_pem,
    public_key_b64,
)
from integrity.tree import LedgerError
from service.domain.project import Project
from usecases.root import Services

blp = Blueprint(
    "ledger", __name__, url_prefix="/api/v1", description="Integrity ledger"
)

MAX_PAGE = 1000
MAX_POSITION = 2**63 - 1
MAX_HEAD_ID = 2**31 - 1
_SPOOL_BYTES = 16 * 1024 * 1024


class HeadsArgs(ma.Schema):
    """A page of signed heads, oldest first."""

    after = ma.fields.Integer(
        load_default=None, validate=ma.validate.Range(min=0, max=MAX_HEAD_ID)
    )
    limit = ma.fields.Integer(
        load_default=100, validate=ma.validate.Range(min=1, max=MAX_PAGE)
    )


JSON_OK = {
    "description": "OK",
    "content": {"application/json": {"schema": {"type": "object"}}},
}
ZIP_OK = {
    "description": "The evidence pack",
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
}


class InclusionArgs(ma.Schema):
    """Which event (global position) and which tree size (default: latest head)."""

    position = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=1, max=MAX_POSITION)
    )
    tree_size = ma.fields.Integer(
        load_default=None, validate=ma.validate.Range(min=1, max=MAX_POSITION)
    )


class ConsistencyArgs(ma.Schema):
    """Two tree sizes, first <= second."""

    first = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=0, max=MAX_POSITION)
    )
    second = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=0, max=MAX_POSITION)
    )


def _services() -> Services:
    value: Services = current_app.config["PMO_SERVICES"]
    return value


def _reader() -> LedgerReader:
    return LedgerReader(_services().views_engine)


def _latest() -> SignedTreeHead:
    try:
        return _reader().latest_head()
    except NoHeadError as error:
        raise ApiError(404, str(error)) from None


@blp.route("/ledger/head", methods=["GET"])
@blp.doc(responses={"200": JSON_OK})
@problems(blp, 404)
def head() -> Response:
    """The latest signed tree head."""
    return jsonify(_latest().to_json_dict())


@blp.route("/ledger/heads", methods=["GET"])
@blp.arguments(HeadsArgs, location="query")
@blp.doc(responses={"200": JSON_OK})
@problems(blp, 422)
def heads(args: dict[str, Any]) -> Response:
    """Every signed head, oldest first; the cursor is the last head_id."""
    page = _reader().heads(args["after"], args["limit"])
    items = [{"head_id": hid, **h.to_json_dict()} for hid, h in page]
    full = len(page) == args["limit"]
    return jsonify(items=items, next_cursor=str(page[-1][0]) if full else None)


@blp.route("/ledger/proofs/inclusion", methods=["GET"])
@blp.arguments(InclusionArgs, location="query")
@blp.doc(responses={"200": JSON_OK})
@problems(blp, 404, 422)
def inclusion_proof(args: dict[str, Any]) -> Response:
    """The RFC 9162 inclusion proof of an event in a tree of a given size."""
    reader = _reader()
    if reader.leaf_for_position(args["position"]) is None:
        raise ApiError(404, f"position {args['position']} is not in the ledger yet")
    size = args["tree_size"] or _latest().tree_size
    try:
        return jsonify(reader.inclusion(args["position"], size))
    except LedgerError as error:
        raise ApiError(422, str(error)) from None


@blp.route("/ledger/proofs/consistency", methods=["GET"])
@blp.arguments(ConsistencyArgs, location="query")
@blp.doc(responses={"200": JSON_OK})
@problems(blp, 422)
def consistency_proof(args: dict[str, Any]) -> Response:
    """The RFC 9162 consistency proof between two tree sizes."""
    try:
        return jsonify(_reader().consistency(args["first"], args["second"]))
    except LedgerError as error:
        raise ApiError(422, str(error)) from None


@blp.route("/ledger/public-key", methods=["GET"])
@blp.doc(responses={"200": JSON_OK})
@problems(blp, 404)
def public_key() -> Response:
    """The key that signs heads now, and every key that ever signed here."""
    found = _reader().public_keys()
    if not found:
        raise ApiError(404, "no signing key has been used yet")
    keys = [
        {
            "key_id": key["key_id"],
            "algorithm": "Ed25519",
            "public_key_pem": key["public_key_pem"],
            "public_key_b64": public_key_b64(
                load_public_key_pem(key["public_key_pem"].encode("ascii"))
            ),
            "first_used_ms": key["first_used_ms"],
        }
        for key in found
    ]
    return jsonify(**keys[-1], keys=keys)


@blp.route("/projects/<uuid:project_id>/evidence", methods=["GET"])
@blp.doc(responses={"200": ZIP_OK})
@problems(blp, 404)
def project_evidence(project_id: UUID) -> Response:
    """A zip: the project's events, inclusion proofs, signed head and public key."""
    services = _services()
    project = services.ledger.load(Project, project_id)
    signed = _latest()
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115
    try:
        _reader().write_evidence(
            spool,
            services.ledger.recorder,
            project_id,
            project.code,
            load_or_create_private_key(services.settings.key_path),
            signed,
        )
    except LedgerError as error:
        spool.close()
        raise ApiError(
            500, f"the ledger does not prove this project: {error}"
        ) from None
    spool.seek(0)
    filters = {"project_id": str(project_id), "tree_size": str(signed.tree_size)}
    services.ledger.record_export("evidence", "zip", filters, request_meta())
    response = Response(_drain(spool), mimetype="application/zip")
    name = f"evidence-{project.code}-{signed.tree_size}.zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Ledger-Tree-Size"] = str(signed.tree_size)
    return response


def _drain(spool: IO[bytes]) -> Iterator[bytes]:
    """Stream the spooled pack, closing it however the response ends."""
    try:
        while chunk := spool.read(64 * 1024):
            yield chunk
    finally:
        spool.close()
