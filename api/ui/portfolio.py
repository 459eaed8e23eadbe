"""The PMO head's portfolio page: the portfolio view (`GET /portfolio`) as pictures.

RAG reported against suggested across projects, milestones slipping, benefits
planned against realised, budget against actual, resource capacity against
demand and the top risks; each mark links to the entry or page it counts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from flask import request, url_for

from api.access import reach
from api.ui.common import blueprint, page, parse_moment, services
from api.ui.portfolio_charts import Bar, linked_bars, paired_bars, rag_grid
from api.ui.value_charts import allocation_grid, progress_chart
from service.domain.project import RAG_DIMENSIONS
from usecases import portfolio, resources, value


@blueprint.get("/portfolio")
def portfolio_view() -> str:
    """Every picture of the portfolio, now or as at a date."""
    as_of = parse_moment(request.args.get("as_of"))
    view = portfolio.portfolio(
        services(), portfolio.PortfolioQuery(reach(), as_of, top_risks=8)
    )
    picture = resources.resource_picture(
        services(), resources.ResourceQuery(as_of=as_of)
    )
    highlight = {
        p["project_id"]: url_for("ui.highlight", project_id=p["project_id"])
        for p in view["projects"]
    }
    return page(
        "portfolio.html",
        as_of=as_of,
        view=view,
        rag=rag_grid(view["projects"], RAG_DIMENSIONS, highlight),
        risks=linked_bars(_risks(view), "Top risks by residual score", "top-risks"),
        slipping=linked_bars(
            _slipping(view), "Milestones slipping (days late)", "slipping"
        ),
        benefits=progress_chart(view["benefits"]["projects"]),
        budgets=paired_bars(_budgets(view, as_of), "Budget against actual"),
        allocation=allocation_grid(picture),
    )


def _risks(view: dict[str, Any]) -> list[Bar]:
    return [
        Bar(
            f"{r['code']} {r['title']}",
            Decimal(r["residual_score"]),
            f"score {r['residual_score']}",
            url_for("ui.entry", kind="risks", entity_id=r["id"]),
            str(r["id"]),
            "#d64545" if r["residual_score"] >= 15 else "#f0b429",
        )
        for r in view["top_risks"]
    ]


def _slipping(view: dict[str, Any]) -> list[Bar]:
    return [
        Bar(
            f"{m['code']} {m['title']}",
            Decimal(m["slip_days"]),
            f"{m['slip_days']} days late",
            url_for("ui.entry", kind="milestones", entity_id=m["id"]),
            str(m["id"]),
        )
        for m in sorted(view["milestones_slipping"], key=lambda m: -m["slip_days"])
    ]


def _budgets(
    view: dict[str, Any], as_of: Any
) -> list[tuple[str, Decimal, Decimal, str, str]]:
    found = []
    for project in view["projects"]:
        project_id = UUID(project["project_id"])
        finance = value.finance(services(), value.ValueQuery(project_id, as_of))
        for total in finance["totals"]:
            found.append(
                (
                    f"{project['code']} ({total['currency']})",
                    Decimal(total["approved_budget"]),
                    Decimal(total["actual_to_date"]),
                    total["currency"],
                    url_for("ui.project_value", project_id=project_id),
                )
            )
    return found
