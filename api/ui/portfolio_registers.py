"""The portfolio's own declared registers (capacity, training courses): their
pages, create forms and exports at `/<register>`, with no project in the path.

The pages, forms and entry pages are the project registers' (api/ui/registers.py);
the entries carry the portfolio's id where a project's would be.
"""

from __future__ import annotations

from flask import Response, abort
from werkzeug.wrappers import Response as WerkzeugResponse

from api.ui.common import blueprint
from api.ui.registers import create_from_form, declared_kind, export_rows, register_page
from service.domain.register import PORTFOLIO_ID, RegisterKind


def portfolio_kind_of(kind: str) -> RegisterKind:
    """A portfolio-level declared register (404 if none, or if it is a project's)."""
    declared = declared_kind(kind)
    if not declared.portfolio:
        abort(404)
    return declared


@blueprint.get("/<kind>")
def portfolio_register(kind: str) -> str:
    """A portfolio-level register, as it stands now or stood at a moment."""
    return register_page(PORTFOLIO_ID, portfolio_kind_of(kind))


@blueprint.post("/<kind>")
def create_portfolio_entry(kind: str) -> WerkzeugResponse | tuple[str, int]:
    """Record a new entry of a portfolio-level register from its page's form."""
    return create_from_form(portfolio_kind_of(kind), PORTFOLIO_ID)


@blueprint.get("/<kind>.<fmt>")
def export_portfolio_register(kind: str, fmt: str) -> Response:
    """A portfolio-level register as shown, as CSV or XLSX."""
    return export_rows(portfolio_kind_of(kind), PORTFOLIO_ID, fmt)
