"""The control pages draw what the demo's control registers hold."""

from __future__ import annotations

import re
from uuid import UUID

from service.demo import load_demo
from tests.ui.conftest import Ui
from usecases import control
from usecases.reads import RegisterQuery, register_rows


def test_control_pages_show_the_grid_overdue_actions_lessons_and_links(ui: Ui) -> None:
    load_demo(ui.services.app)
    ui.caught_up()
    ui.sign_in("auditor")
    for project in ui.services.views.list_projects():
        pid = UUID(project["id"])
        page = ui.client.get(f"/ui/projects/{pid}/control")
        assert page.status_code == 200
        active = register_rows(
            ui.services, RegisterQuery("stakeholders", pid, None, {"status": "active"})
        )
        dots = re.findall(r'class="stakeholder" data-id="([^"]+)"', page.text)
        assert sorted(dots) == sorted(str(s["id"]) for s in active) and dots
        overdue = control.overdue_actions(ui.services, control.Watch(pid))
        assert page.text.count('<tr class="overdue">') == len(overdue["items"])
        for kind in ("reviews", "stakeholders", "lessons", "actions", "diary"):
            listed = ui.client.get(f"/ui/projects/{pid}/{kind}")
            assert listed.status_code == 200, kind
    assert (
        "No stakeholders."
        in ui.client.get(f"/ui/projects/{pid}/control?as_of=2000-01-01").text
    )
    library = ui.client.get("/ui/lessons?status=accepted")
    found = control.search_lessons(ui.services, control.LessonSearch(status="accepted"))
    assert library.status_code == 200 and found["total"] > 0
    assert f"{found['total']} lesson" in library.text
    lesson = found["items"][0]
    entry = ui.client.get(f"/ui/lessons/{lesson['id']}")
    assert entry.status_code == 200
    assert 'id="links"' in entry.text and "lesson from" in entry.text
    assert ui.client.get("/ui/actions/overdue").status_code == 200
    reviews = register_rows(ui.services, RegisterQuery("reviews", pid))
    signed = next(r for r in reviews if r["status"] == "signed-off")
    document = ui.client.get(f"/ui/documents/{signed['document_id']}")
    assert document.status_code == 200
    row = document.text.split('id="quality-reviews"')[1].split("</table>")[0]
    assert f'data-number="{signed["document_version"]}"' in row
    assert "signed-off" in row
