"""The integrity ledger over HTTP: signed heads, proofs, public key, evidence packs.

Read-only; the roles (auditor, pmo-head) are enforced by api/auth.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any
from uuid import UUID

import marshmallow as ma
from flask import Response, jsonify

from api.auth import request_meta
from api.context import services
from api.errors import ApiError
from api.resources.common import Blueprint, problems
from usecases import exports, integrity

blp = Blueprint(
    "ledger", __name__, url_prefix="/api/v1", description="Integrity ledger"
)

MAX_PAGE = 1000
MAX_POSITION = 2**63 - 1
MAX_HEAD_ID = 2**31 - 1


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


@blp.route("/ledger/head", methods=["GET"])
@blp.doc(responses={"200": JSON_OK})
@problems(blp, 404)
def head() -> Response:
    """The latest signed tree head."""
    return jsonify(integrity.latest_head(services()).to_json_dict())


@blp.route("/ledger/heads", methods=["GET"])
@blp.arguments(HeadsArgs, location="query")
@blp.doc(responses={"200": JSON_OK})
@problems(blp, 422)
def heads(args: dict[str, Any]) -> Response:
    """Every signed head, oldest first; the cursor is the last head_id."""
    query = integrity.HeadsQuery(args["after"], args["limit"])
    items = integrity.list_heads(services(), query)
    full = len(items) == args["limit"]
    return jsonify(items=items, next_cursor=str(items[-1]["head_id"]) if full else None)


@blp.route("/ledger/proofs/inclusion", methods=["GET"])
@blp.arguments(InclusionArgs, location="query")
@blp.doc(responses={"200": JSON_OK})
@problems(blp, 404, 422)
def inclusion_proof(args: dict[str, Any]) -> Response:
    """The RFC 9162 inclusion proof of an event in a tree of a given size."""
    query = integrity.InclusionQuery(args["position"], args["tree_size"])
    return jsonify(integrity.inclusion_proof(services(), query))


@blp.route("/ledger/proofs/consistency", methods=["GET"])
@blp.arguments(ConsistencyArgs, location="query")
@blp.doc(responses={"200": JSON_OK})
@problems(blp, 422)
def consistency_proof(args: dict[str, Any]) -> Response:
    """The RFC 9162 consistency proof between two tree sizes."""
    query = integrity.ConsistencyQuery(args["first"], args["second"])
    return jsonify(integrity.consistency_proof(services(), query))


@blp.route("/ledger/public-key", methods=["GET"])
@blp.doc(responses={"200": JSON_OK})
@problems(blp, 404)
def public_key() -> Response:
    """The key that signs heads now, and every key that ever signed here."""
    keys = integrity.signing_keys(services())
    if not keys:
        raise ApiError(404, "no signing key has been used yet")
    return jsonify(**keys[-1], keys=keys)


TEXT_OK = {
    "description": "OK",
    "content": {"text/plain": {"schema": {"type": "string"}}},
}


class CosignatureBody(ma.Schema):
    """A checkpoint published here with the witness's cosignature line, and its key."""

    checkpoint = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=16 * 1024)
    )
    witness_key = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=200)
    )


def _text(body: str) -> Response:
    return Response(
        body, mimetype="text/plain", content_type="text/plain; charset=utf-8"
    )


@blp.route("/ledger/checkpoint", methods=["GET"])
@blp.doc(responses={"200": TEXT_OK})
@problems(blp, 404)
def checkpoint() -> Response:
    """The latest C2SP checkpoint (signed note) with its witness cosignatures."""
    return _text(integrity.checkpoint(services()))


@blp.route("/ledger/checkpoints/<int:tree_size>", methods=["GET"])
@blp.doc(responses={"200": TEXT_OK})
@problems(blp, 404)
def checkpoint_at(tree_size: int) -> Response:
    """The C2SP checkpoint published for a tree size, with its cosignatures."""
    return _text(integrity.checkpoint(services(), tree_size))


@blp.route("/ledger/verifier-key", methods=["GET"])
@blp.doc(responses={"200": TEXT_OK})
@problems(blp, 404)
def verifier_key() -> Response:
    """The C2SP note verifier key of the checkpoints (every key, current last)."""
    vkeys = integrity.verifier_keys(services())
    if not vkeys:
        raise ApiError(404, "no signing key has been used yet")
    return _text("".join(f"{vkey}\n" for vkey in vkeys))


@blp.route("/ledger/cosignatures", methods=["POST"])
@blp.arguments(CosignatureBody)
@blp.doc(responses={"200": JSON_OK, "201": JSON_OK})
@problems(blp, 422)
def add_cosignature(body: dict[str, Any]) -> Response:
    """Keep a witness's C2SP cosignature of a checkpoint published here."""
    command = integrity.AddCosignature(body["checkpoint"], body["witness_key"])
    kept = integrity.add_cosignature(services(), command)
    response = jsonify(tree_size=kept.tree_size, witness=kept.witness, added=kept.added)
    response.status_code = 201 if kept.added else 200
    response.headers["Location"] = (
        f"{blp.url_prefix}/ledger/checkpoints/{kept.tree_size}"
    )
    return response


@blp.route("/projects/<project:project_id>/evidence", methods=["GET"])
@blp.doc(responses={"200": ZIP_OK})
@problems(blp, 404)
def project_evidence(project_id: UUID) -> Response:
    """A zip: the project's events, inclusion proofs, signed head and public key."""
    pack = exports.export_evidence(
        services(), exports.ExportEvidence(project_id), request_meta()
    )
    response = Response(_drain(pack.content), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Ledger-Tree-Size"] = str(pack.tree_size)
    return response


def _drain(spool: IO[bytes]) -> Iterator[bytes]:
    """Stream the spooled pack, closing it however the response ends."""
    try:
        while chunk := spool.read(64 * 1024):
            yield chunk
    finally:
        spool.close()
