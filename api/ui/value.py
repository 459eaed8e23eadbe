"""A project's value page (finance and benefits) and the portfolio's resources."""

from __future__ import annotations

from uuid import UUID

from flask import abort, request

from api.ui.common import blueprint, page, parse_moment, project_or_404, services
from api.ui.value_charts import allocation_grid, benefit_chart, progress_chart
from service.domain.base import InvalidValueError
from usecases import resources, value


@blueprint.get("/projects/<project:project_id>/value")
def project_value(project_id: UUID) -> str:
    """Budget lines, variance and cost RAG; each benefit planned against measured."""
    as_of = parse_moment(request.args.get("as_of"))
    project = project_or_404(project_id)
    query = value.ValueQuery(project_id, as_of)
    finance = value.finance(services(), query)
    benefits = value.project_benefits(services(), query)
    charts = [(b, benefit_chart(b)) for b in benefits["benefits"]]
    return page(
        "value.html",
        project=project,
        as_of=as_of,
        finance=finance,
        benefits=benefits,
        charts=charts,
    )


@blueprint.get("/resources")
def portfolio_resources() -> str:
    """Demand against capacity per role and month across the portfolio."""
    as_of = parse_moment(request.args.get("as_of"))
    query = resources.ResourceQuery(
        request.args.get("from") or None, request.args.get("to") or None, as_of
    )
    try:
        picture = resources.resource_picture(services(), query)
    except InvalidValueError as error:
        abort(400, str(error))
    benefits = value.portfolio_benefits(services(), value.PortfolioQuery(as_of))
    return page(
        "resources.html",
        as_of=as_of,
        picture=picture,
        grid=allocation_grid(picture),
        benefits=benefits,
        progress=progress_chart(benefits["projects"]),
    )
