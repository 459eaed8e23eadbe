"""Importing a register from a CSV file in the UI, on each backend: the preview
shows every row with its line and every refused line's reason and records
nothing; confirming records every row once; other roles get no form and 403."""

from __future__ import annotations

import html
import io
import re
from uuid import UUID

import pytest

from service.domain.base import Meta
from service.domain.risk import Risk
from tests.cli.test_import import BAD_RISKS, CHANGES, RISKS
from tests.ui.conftest import Ui
from tests.ui.test_forms import form_of

HEAD = Meta("olivia", "pmo-head", "test")


def confirm_form(text: str) -> dict[str, str]:
    """The hidden values of the preview's confirm form."""
    start = text.index('aria-label="Confirm the import"')
    found = re.findall(
        r'type="hidden" name="(\w+)" value="([^"]*)"',
        text[start : text.index("</form>", start)],
    )
    return {name: html.unescape(value) for name, value in found}  # as a browser


def risks_of_new_project(ui: Ui, role: str) -> tuple[UUID, str]:
    """A new open project and the path of its risk register, signed in as a role."""
    project = ui.services.app.register_project("IMP", "Import", "", "S", "M", HEAD)
    ui.caught_up()
    ui.sign_in(role)
    return project.id, f"/ui/projects/{project.id}/risks"


def test_a_preview_shows_refused_lines_then_a_good_file_imports_once(ui: Ui) -> None:
    app = ui.services.app
    project, path = risks_of_new_project(ui, "pmo-head")
    hidden = form_of(ui.client.get(path), "import")
    head = app.head_position()

    def upload(body: str, name: str) -> str:
        file = (io.BytesIO(body.encode()), name, "text/csv")
        answer = ui.client.post(f"{path}/import", data={**hidden, "file": file})
        assert answer.status_code == (422 if "Bad" in body else 200), answer.text
        return answer.text

    refused = upload(BAD_RISKS, "bad.csv")
    assert "3 lines refused" in refused
    assert re.search(r"<li>line 3: probability: must be", refused)
    assert re.search(r"<li>line 4: category", refused)
    assert "<li>line 5: missing title</li>" in refused
    assert '<tr data-line="2"><td>2</td><td data-label="title">Fine risk' in refused
    assert 'aria-label="Confirm the import"' not in refused
    assert app.head_position() == head  # a preview records nothing

    ready = upload(RISKS, "register <2026>.csv")
    assert app.head_position() == head
    assert "2 entries (" in ready and "register &lt;2026&gt;.csv" in ready
    confirm = confirm_form(ready)
    done = ui.client.post(f"{path}/import", data=confirm)
    assert done.status_code == 303, done.text
    again = ui.client.post(f"{path}/import", data=confirm)  # a double submit
    assert again.status_code == 303
    ids = [r["id"] for r in list(ui.services.views.iter_register("risks", project))]
    assert len(ids) == 2
    risks = sorted((app.load(Risk, UUID(i)) for i in ids), key=lambda r: r.title)
    assert [(r.title, r.status) for r in risks] == [
        ("Budget cut", "closed"),
        ("Late supplier", "open"),
    ]
    first = next(iter(app.events.get(risks[1].id)))
    assert first.meta.actor == "pmo-head-user"
    assert first.meta.reason == "imported from register <2026>.csv, line 2"
    shown = ui.client.get(path).text
    assert "Imported 2 entries" in shown and "Late supplier" in shown


def test_only_the_pmo_head_imports(ui: Ui, monkeypatch: pytest.MonkeyPatch) -> None:
    project, path = risks_of_new_project(ui, "project-officer")
    assert 'id="form-import"' not in ui.client.get(path).text
    file = (io.BytesIO(RISKS.encode()), "r.csv", "text/csv")
    data = {"csrf_token": ui.csrf(path), "form_key": "k", "file": file}
    assert ui.client.post(f"{path}/import", data=data).status_code == 403
    forged = {"csrf_token": ui.csrf(path), "form_key": "k2", "confirm": "yes"}
    forged["content"] = "not base64!"
    assert ui.client.post(f"{path}/import", data=forged).status_code == 403
    ui.sign_in("pmo-head")
    forged["csrf_token"] = ui.csrf(path)
    assert ui.client.post(f"{path}/import", data=forged).status_code == 400
    assert list(ui.services.views.iter_register("risks", project)) == []
    monkeypatch.setattr("api.ui.imports.IMPORT_LIMIT", 100)
    file = (io.BytesIO(RISKS.encode()), "big.csv", "text/csv")
    hidden = {"csrf_token": ui.csrf(path), "form_key": "k3", "file": file}
    large = ui.client.post(f"{path}/import", data=hidden)
    assert large.status_code == 413 and "use pmo-ledger import" in large.text


def test_a_baseline_import_is_refused_with_its_reason(ui: Ui) -> None:
    project, path = risks_of_new_project(ui, "pmo-head")
    baselines = f"/ui/projects/{project}/baselines"
    assert 'id="form-import"' not in ui.client.get(baselines).text
    file = (io.BytesIO(b"name,tolerance_days\nB1,5\n"), "b.csv", "text/csv")
    data = {"csrf_token": ui.csrf(path), "form_key": "k", "file": file}
    head = ui.services.app.head_position()
    refused = ui.client.post(f"{baselines}/import", data=data)
    assert refused.status_code == 404
    assert "a baseline is an approval" in html.unescape(refused.text)
    assert ui.services.app.head_position() == head


def test_the_change_log_imports_from_its_page(ui: Ui) -> None:
    project, _ = risks_of_new_project(ui, "project-officer")
    path = f"/ui/projects/{project}/changes"
    assert 'id="form-import"' not in ui.client.get(path).text
    file = (io.BytesIO(CHANGES.encode()), "c.csv", "text/csv")
    data = {"csrf_token": ui.csrf(path), "form_key": "k", "file": file}
    assert ui.client.post(f"{path}/import", data=data).status_code == 403
    ui.sign_in("pmo-head")
    hidden = form_of(ui.client.get(path), "import")
    head = ui.services.app.head_position()

    def upload(body: str) -> tuple[int, str]:
        file = (io.BytesIO(body.encode()), "changes.csv", "text/csv")
        answer = ui.client.post(f"{path}/import", data={**hidden, "file": file})
        return answer.status_code, html.unescape(answer.text)

    status, refused = upload(CHANGES.replace("Project board", ""))
    assert status == 422
    assert "<li>line 2: authority: must not be empty</li>" in refused
    assert 'aria-label="Confirm the import"' not in refused
    status, ready = upload(CHANGES)
    assert status == 200 and "2 entries (8 events)" in ready
    assert ui.services.app.head_position() == head  # previews record nothing
    confirm = confirm_form(ready)
    assert ui.client.post(f"{path}/import", data=confirm).status_code == 303
    assert ui.client.post(f"{path}/import", data=confirm).status_code == 303
    rows = list(ui.services.views.iter_register("changes", project))
    assert sorted((r["title"], r["status"]) for r in rows) == [
        ("Extra site", "approved"),
        ("SSO", "closed"),
    ]
    shown = ui.client.get(path).text
    assert "Imported 2 entries (8 events) from changes.csv." in shown
