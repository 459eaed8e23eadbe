"""The demo's office registers: the training courses the PMO head approves.

Recorded over the demo's history (its clock backdates them), so a course is
proposed, approved, reviewed or withdrawn on different days and the register
read as at a date differs from today's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.app import PmoApplication
from service.demo_value import HISTORY_DAYS, DemoClock
from service.domain.base import Meta
from service.domain.register import PORTFOLIO_ID

MANAGERS = ["Project manager", "Team manager"]
SUPPORT = ["Project officer", "Project support"]
COURSES: tuple[tuple[dict[str, Any], str], ...] = (
    (
        {
            "title": "PRINCE2 Foundation",
            "provider": "Axelos accredited partner",
            "level": "foundation",
            "qualification": "PRINCE2 Foundation certificate",
            "for_roles": [*MANAGERS, *SUPPORT],
        },
        "reviewed",
    ),
    (
        {
            "title": "PRINCE2 Practitioner",
            "provider": "Axelos accredited partner",
            "level": "practitioner",
            "qualification": "PRINCE2 Practitioner certificate",
            "for_roles": MANAGERS,
        },
        "approved",
    ),
    (
        {
            "title": "Management of Risk Foundation",
            "provider": "Risk Institute",
            "level": "foundation",
            "qualification": "M_o_R Foundation",
            "for_roles": [*MANAGERS, "Risk owner"],
        },
        "approved",
    ),
    (
        {
            "title": "Planning with critical chain",
            "provider": "Northwind Learning",
            "level": "advanced",
            "qualification": "",
            "for_roles": MANAGERS,
        },
        "withdrawn",
    ),
    (
        {
            "title": "Benefits realisation workshop",
            "provider": "Office in-house",
            "level": "specialist",
            "qualification": "",
            "for_roles": ["Senior user", "Benefit owner"],
        },
        "proposed",
    ),
)


def load_courses(app: PmoApplication) -> int:
    """The office's training courses, each taken to where its story ends."""
    officer = Meta("olivia.officer", "project-officer", "demo data")
    head = Meta("hana.head", "pmo-head", "training plan agreed by the PMO board")
    clock = DemoClock(HISTORY_DAYS)
    try:
        for index, (details, ends) in enumerate(COURSES):
            clock.advance(9)
            course = app.perform("propose_course", PORTFOLIO_ID, details, officer).id
            if ends == "proposed":
                continue
            clock.advance(12 + index)
            approved = clock.today()
            dates = {"approved_on": approved, "review_by": approved + timedelta(365)}
            app.perform("approve_course", course, dates, head)
            clock.advance(120)
            if ends == "reviewed":
                reviewed = clock.today()
                review = {
                    "reviewed_on": reviewed,
                    "review_by": reviewed + timedelta(365),
                }
                app.perform("review_course", course, review, head)
            elif ends == "withdrawn":
                reason = Meta(head.actor, head.role, "the provider stopped running it")
                app.perform("withdraw_course", course, {}, reason)
    finally:
        clock.stop()
    return len(COURSES)
