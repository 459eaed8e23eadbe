"""The highlight report sets the suggested cost and benefits RAG beside the reported."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from service.domain.base import Meta
from usecases.reports import HighlightQuery, highlight_report
from usecases.root import Services
from usecases.suggested import Suggestion
from usecases.value import SetCostTolerance, set_cost_tolerance

HEAD = Meta("hana", "pmo-head", "report test")
GREEN = dict.fromkeys(("time", "cost", "scope", "quality", "benefits", "risk"), "green")


def report(services: Services, project: UUID, rag: dict[str, str]) -> None:
    services.app.report_project_status(
        project, date(2026, 3, 1), date(2026, 3, 31), rag, "s", "", "", "ok", "", HEAD
    )


def test_suggestions_sit_beside_the_reported_rag_and_flag_disagreement(
    services: Services,
) -> None:
    project = services.app.register_project("RAG-1", "R", "", "S", "M", HEAD).id
    report(services, project, GREEN)
    report(services, project, GREEN)
    services.runner.start()
    assert services.views.wait_for(services.app.head_position(), 30)
    empty = highlight_report(services, HighlightQuery(project)).suggested
    assert (empty["cost"].colour, empty["benefits"].colour) == (None, None)

    line = services.app.perform(
        "add_budget_line",
        project,
        {
            "title": "Team",
            "category": "labour",
            "currency": "EUR",
            "owner": "o",
            "approved_budget": "1000.00",
        },
        HEAD,
    ).id
    services.app.perform(
        "record_actual", line, {"period": "2026-02", "amount": "1060"}, HEAD
    )
    set_cost_tolerance(services, SetCostTolerance(project, "5"), HEAD)
    benefit = services.app.perform(
        "identify_benefit",
        project,
        {
            "title": "Fewer calls",
            "kind": "benefit",
            "description": "d",
            "owner": "o",
            "category": "non-financial",
            "measure": "calls",
            "unit": "calls",
            "baseline_value": "100",
            "target_value": "50",
            "realise_from": date(2026, 1, 1),
            "realise_to": date(2026, 12, 31),
            "change_ids": [],
        },
        HEAD,
    ).id
    services.app.perform("plan_benefit", benefit, {"measurement_plan": "m"}, HEAD)
    services.app.perform(
        "record_measurement",
        benefit,
        {"measured_on": date(2026, 3, 15), "value": "97", "source": "s"},
        HEAD,
    )
    report(services, project, GREEN | {"cost": "red"})
    assert services.views.wait_for(services.app.head_position(), 30)
    found = highlight_report(services, HighlightQuery(project))
    assert found.suggested["cost"] == Suggestion(
        "red",
        [
            "EUR: forecast at completion 1060.00 exceeds the budget 1000.00 by "
            "6.0%, beyond the 5% tolerance"
        ],
    )
    assert found.suggested["benefits"].colour == "amber"
    assert found.disagreements == ["benefits"]  # reported green, cost red agreed
    first = highlight_report(
        services, HighlightQuery(project, str(found.made[0]["position"]))
    )
    # as at the second report nothing was recorded yet
    assert first.suggested["cost"].colour is None and first.disagreements == []
