"""The demo's PMO library: the office's own documents, approved, and their use.

Terms of reference, the governance framework and four templates, each with a
version reviewed and approved; every project starts its initiation document
from the PID template; one project document's version is nominated into the
repository of good project documentation and accepted.
"""

from __future__ import annotations

import io
from uuid import UUID

from service.app import PmoApplication
from service.domain.base import Meta
from service.domain.register import PORTFOLIO_ID
from service.library import Derivation

CUSTODIAN = Meta("carl.custodian", "custodian", "PMO library")
HEAD = Meta("hana.head", "pmo-head", "approved by the PMO board")
LIBRARY: tuple[tuple[str, str, str], ...] = (
    (
        "Terms of reference of the PMO",
        "terms-of-reference",
        "The office supports the portfolio board: it keeps the registers, "
        "issues the reports and assures that projects follow the method.",
    ),
    (
        "Governance framework",
        "governance-framework",
        "Approval thresholds: changes above 50000 go to the board. Tolerances: "
        "time 10%, cost 5%. The sponsor decides scope; the board decides exceptions.",
    ),
    (
        "Project initiation documentation template",
        "template",
        "# Project initiation documentation\n## Business case\n## Approach\n"
        "## Tolerances\n## Controls\n",
    ),
    (
        "Highlight report template",
        "template",
        "# Highlight report\n## Status summary\n## This period\n## Next period\n"
        "## Tolerances\n## Risks and issues\n",
    ),
    (
        "Risk register template",
        "template",
        "id,title,cause,event,effect,probability,impact,owner,response\n",
    ),
    (
        "Lessons report template",
        "template",
        "# Lessons report\n## What went well\n## What did not\n## Recommendations\n",
    ),
)


def load_library(app: PmoApplication, projects: dict[str, UUID]) -> int:
    """The library's documents approved, a PID started per project, one nominated."""
    made: dict[str, UUID] = {}
    for title, kind, text in LIBRARY:
        found = app.register_library_document(
            title, kind, "internal", "deliverable", "Hana Head", CUSTODIAN
        ).id
        name = f"{kind}.{'csv' if text.startswith('id,') else 'md'}"
        media = "text/csv" if name.endswith("csv") else "text/markdown"
        body = io.BytesIO(f"{title}\n\n{text}\n".encode())
        app.submit_version(found, body, media, name, "First issue", CUSTODIAN)
        app.send_version_for_review(found, 1, CUSTODIAN)
        app.approve_version(found, 1, HEAD)
        made[title] = found
    template = made["Project initiation documentation template"]
    for code, project_id in projects.items():
        app.derive_document(
            Derivation(
                "template",
                template,
                1,
                project_id,
                f"{code} project initiation documentation",
                "pid",
                "internal",
                "project-record",
                "Carl",
            ),
            CUSTODIAN,
        )
    _nominate(app, next(iter(projects.items())))
    return len(LIBRARY)


def _nominate(app: PmoApplication, project: tuple[str, UUID]) -> None:
    """A project's lessons report, approved, then accepted as good practice."""
    code, project_id = project
    lessons = app.register_document(
        project_id,
        f"{code} lessons report, stage 1",
        "lessons-report",
        "internal",
        "project-record",
        "Carl",
        CUSTODIAN,
    ).id
    body = io.BytesIO(b"Book design workshops a month ahead; they filled quickly.\n")
    app.submit_version(lessons, body, "text/plain", "lessons.txt", "", CUSTODIAN)
    app.send_version_for_review(lessons, 1, CUSTODIAN)
    app.approve_version(lessons, 1, HEAD)
    nominated = app.derive_document(
        Derivation(
            "nominated",
            lessons,
            1,
            PORTFOLIO_ID,
            "Lessons report: booking workshops early",
            "good-practice",
            "internal",
            "deliverable",
            "olivia.officer",
        ),
        CUSTODIAN,
    ).id
    app.send_version_for_review(nominated, 1, CUSTODIAN)
    app.approve_version(nominated, 1, HEAD)
