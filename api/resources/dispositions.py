"""Disposition at scale: the worklist, reviews, execution and certificates."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify

from api.access import reach
from api.auth import request_meta
from api.context import services
from api.resources.common import Blueprint, problems, written
from api.resources.routes import command
from api.schemas.base import EmptyBody, Open
from api.schemas.records import AsOf, ProposalBody, WorklistArgs
from usecases import certificates, disposition

blp = Blueprint(
    "dispositions",
    __name__,
    url_prefix="/api/v1",
    description="Disposition: records due, reviews, certificates, transfers",
)
ONE = "/records/reviews/<uuid:review_id>"
FILES = {
    "certificate": ("application/json", "certificate-{}.json"),
    "package": ("application/zip", "transfer-{}.zip"),
}


@blp.route("/records/worklist", methods=["GET"])
@blp.arguments(WorklistArgs, location="query")
@blp.response(200, Open)
@problems(blp, 422)
def worklist(args: dict[str, Any]) -> Response:
    """Records due for disposal (or due within N days), across every project."""
    query = disposition.WorklistQuery(
        args["within_days"],
        args["record_class"],
        args["project_id"],
        args["action"],
        args["as_of"],
    )
    rows = disposition.worklist(services(), query)
    return jsonify(items=reach().documents(reach().projects(rows, "project_id")))


@blp.route("/records/reviews", methods=["GET"])
@blp.arguments(AsOf, location="query")
@blp.response(200, Open)
@problems(blp, 422)
def list_reviews(args: dict[str, Any]) -> Response:
    """Every disposition review, newest first, now or as at a moment."""
    return jsonify(items=disposition.list_reviews(services(), args["as_of"]))


@command(blp, "/records/reviews", ProposalBody, status=201)
def propose_disposition(body: dict[str, Any]) -> Response:
    """Propose records for destruction or transfer (the review's first step)."""
    result = disposition.propose(
        services(),
        disposition.ProposeDisposition(
            body["action"], tuple(body["document_ids"]), body["note"], reach()
        ),
        request_meta(body["reason"]),
    )
    return written(result, f"/records/reviews/{result.id}", created=True)


@blp.route(ONE, methods=["GET"])
@blp.arguments(AsOf, location="query")
@blp.response(200, Open)
@problems(blp, 404, 422)
def get_review(args: dict[str, Any], review_id: UUID) -> Response:
    """One disposition review, now or as at a moment."""
    return jsonify(disposition.get_review(services(), review_id, args["as_of"]))


def _step(step: str) -> None:
    def take(body: dict[str, Any], review_id: UUID) -> Response:
        result = disposition.take_step(
            services(),
            disposition.ReviewStep(review_id, step),
            request_meta(body["reason"]),
        )
        return written(result, f"/records/reviews/{review_id}")

    take.__name__ = f"{step}_disposition"
    take.__doc__ = {
        "review": "Record the review of a proposal (the reason: its outcome).",
        "approve": "Approve a reviewed proposal (not its proposer or reviewer).",
        "reject": "Stop a review before execution (the reason is required).",
    }[step]
    command(blp, f"{ONE}/{step}", EmptyBody, required=False)(take)


for _name in disposition.STEPS:
    _step(_name)


@command(blp, f"{ONE}/execute", EmptyBody, required=False)
def execute_disposition(body: dict[str, Any], review_id: UUID) -> Response:
    """Dispose of every record of an approved review and write its certificate.

    A review whose execution was cut short (status `executing`) is finished:
    the records it already disposed of are skipped.
    """
    done = certificates.execute(
        services(),
        certificates.ExecuteDisposition(review_id),
        request_meta(body["reason"]),
    )
    return written(
        done.written,
        f"/records/reviews/{review_id}/certificate",
        certificate_sha256=done.certificate_sha256,
        package_sha256=done.package_sha256,
    )


def _file(which: str) -> None:
    def stored(review_id: UUID) -> Response:
        media, name = FILES[which]
        body = certificates.stored(services(), review_id, which)
        response = Response(body, mimetype=media)
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{name.format(review_id)}"'
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    stored.__name__ = f"disposition_{which}"
    stored.__doc__ = f"The {which} an executed review wrote, as stored."
    route = blp.route(f"{ONE}/{which}", methods=["GET"])
    media = FILES[which][0]
    ok = {"200": {"content": {media: {"schema": {"type": "string"}}}}}
    route(blp.doc(responses=ok)(problems(blp, 404)(stored)))


for _name in FILES:
    _file(_name)


@blp.route(f"{ONE}/certificate/verify", methods=["GET"])
@blp.response(200, Open)
@problems(blp, 404)
def verify_certificate(review_id: UUID) -> Response:
    """Check the certificate against the review and the documents' events."""
    return jsonify(certificates.verify_certificate(services(), review_id))
