"""The quality policy page: which document types need a signed-off quality
review before a version is approved, now or as at a date, and the form the PMO
head sets a type's rule with (`POST /quality-policy` in the API)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from api.resources.control import QualityRule
from api.ui.common import blueprint, page, parse_moment, services
from api.ui.custody import may_post
from api.ui.forms import at_most_once
from api.ui.posted import answer, typed
from service.application import Written
from service.domain.base import InvalidValueError, Meta
from usecases import control

SET_RULE = "control.set_quality_rule"
RULES = {"required": True, "not required": False}
"""The rule's menu in the form, and what each choice records."""


@blueprint.get("/quality-policy")
def quality_policy() -> str:
    """The quality policy now or as at a date."""
    return quality_policy_page()


def quality_policy_page(posted: Any = None) -> str:
    """The policy's page; `posted` is the rule's form that came back unrecorded."""
    as_of = parse_moment(request.args.get("as_of"))
    found = control.quality_policy(services(), control.AsOf(as_of))
    return page(
        "quality_policy.html",
        as_of=as_of,
        rules=sorted(found["required"].items()),
        may_set=may_post(SET_RULE) and as_of is None,
        choices=tuple(RULES),
        posted=posted,
    )


@blueprint.post("/quality-policy")
def set_quality_rule() -> Response:
    """Require (or stop requiring) a signed-off review before a type's approval."""
    if not may_post(SET_RULE):
        abort(403, "your role may not set the quality policy")

    def record(_: int | None, meta: Meta) -> Written:
        given: dict[str, Any] = typed(("doc_type", "required"), meta)
        if given["required"] not in RULES:
            raise InvalidValueError("required", "choose required or not required")
        given["required"] = RULES[given["required"]]
        body = QualityRule().load(given)
        command = control.SetQualityRule(body["doc_type"], body["required"])
        return control.set_quality_rule(services(), command, meta)

    def done(_: Written) -> Response:
        flash("Recorded the quality rule.")
        return redirect(url_for("ui.quality_policy"), 303)

    def again(posted: Any) -> str:
        return quality_policy_page(posted)

    return at_most_once(lambda: answer("rule", record, again, done))
