"""The retention schedule recorded as events: versions, dates as they stood, as_of."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from api import create_app
from api.cli import main
from service.app import PmoApplication
from service.config import Settings
from service.domain.base import InvalidValueError, Meta, RoleRequiredError
from service.retention import DEFAULT_FILE, Period, load_schedule, schedule_to_data
from tests.custody.conftest import CONTRIBUTOR, CUSTODIAN, new_document, new_project
from tests.ui.conftest import Ui
from usecases import retention
from usecases.root import Services, build_services

CHANGE = Meta("rhea", "custodian", "records policy v2, section 6")


@pytest.fixture
def blob_backend() -> str:
    """Only the file blob backend: the schedule holds no content."""
    return "file"


@pytest.fixture
def client(services: Services) -> FlaskClient:
    """A test client as a contributor (every role may read the schedule)."""
    secret = services.app.issue_token("c", "contributor", CUSTODIAN).secret
    test_client = create_app(services=services).test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return test_client


def packaged() -> dict[str, dict[str, Any]]:
    """The packaged schedule as event values."""
    return schedule_to_data(load_schedule(DEFAULT_FILE))


def with_working_paper(years: int) -> dict[str, dict[str, Any]]:
    """The packaged schedule with working papers kept for other years."""
    classes = packaged()
    classes["working-paper"]["period"] = {"years": years, "months": 0, "days": 0}
    return classes


def test_an_unrecorded_store_follows_the_file_until_it_is_recorded(
    services: Services, client: FlaskClient
) -> None:
    shown = client.get("/api/v1/retention/schedule").json
    assert (shown["version"], shown["recorded"]) == (0, False)
    assert shown["classes"] == {
        name: values | {"period_text": str(Period(**values["period"]))}
        for name, values in packaged().items()
    }
    first = retention.record_initial_schedule(services)
    assert first is not None and first.version == 1
    assert retention.record_initial_schedule(services) is None
    shown = client.get("/api/v1/retention/schedule").json
    assert (shown["version"], shown["recorded"], shown["actor"]) == (1, True, "system")
    assert shown["recorded_at"] is not None


def test_a_later_change_leaves_past_documents_dates_alone(services: Services) -> None:
    app = services.app
    project = new_project(app)
    before = new_document(app, project)
    app.change_retention_schedule(with_working_paper(3), [], CHANGE)
    after = new_document(app, project)
    old, new = app.disposal_date(before), app.disposal_date(after)
    assert old.triggered_on is not None and new.triggered_on is not None
    assert old.due_on == Period(years=1).after(old.triggered_on)
    assert (old.schedule_version, old.retroactive) == (1, False)
    assert new.due_on == Period(years=3).after(new.triggered_on)
    assert (new.schedule_version, new.period) == (2, "3 years")


def test_a_retroactive_change_reaches_documents_triggered_before_it(
    services: Services,
) -> None:
    app = services.app
    project = new_project(app)
    before = new_document(app, project)
    app.change_retention_schedule(with_working_paper(3), [], CHANGE)
    app.change_retention_schedule(with_working_paper(5), ["working-paper"], CHANGE)
    shown = app.disposal_date(before)
    assert shown.triggered_on is not None
    assert shown.due_on == Period(years=5).after(shown.triggered_on)
    assert (shown.schedule_version, shown.retroactive) == (3, True)
    # Another class's retroactive change does not touch working papers.
    classes = with_working_paper(5)
    classes["contract"]["period"] = {"years": 15, "months": 0, "days": 0}
    app.change_retention_schedule(classes, ["contract"], CHANGE)
    assert app.disposal_date(before).schedule_version == 3


def test_disposal_follows_the_schedule_as_it_stood(services: Services) -> None:
    app = services.app
    project = new_project(app)
    same_day = with_working_paper(0)
    same_day["working-paper"]["period"] = {"years": 0, "months": 0, "days": 0}
    app.change_retention_schedule(same_day, [], CHANGE)
    document = new_document(app, project)
    app.change_retention_schedule(with_working_paper(10), [], CHANGE)
    disposal = app.dispose_document(document, CUSTODIAN)
    assert disposal.due_on == app.disposal_date(document).triggered_on


def test_the_schedule_as_at_a_moment(services: Services, client: FlaskClient) -> None:
    services.app.change_retention_schedule(with_working_paper(4), [], CHANGE)
    versions = client.get("/api/v1/retention/schedule/versions").json
    assert [v["version"] for v in versions] == [1, 2]
    assert (versions[1]["actor"], versions[1]["reason"]) == (
        "rhea",
        "records policy v2, section 6",
    )
    first_at = versions[0]["recorded_at"]
    between = client.get("/api/v1/retention/schedule", query_string={"as_of": first_at})
    assert between.json["version"] == 1
    assert between.json["classes"]["working-paper"]["period_text"] == "1 year"
    earlier = client.get(
        "/api/v1/retention/schedule", query_string={"as_of": "2001-01-01T00:00:00Z"}
    )
    assert earlier.json["version"] == 1
    now = client.get("/api/v1/retention/schedule").json
    assert (now["version"], now["versions"]) == (2, 2)
    assert now["classes"]["working-paper"]["period_text"] == "4 years"
    refused = client.get("/api/v1/retention/schedule", query_string={"as_of": "soon"})
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("classes", "retroactive", "meta", "error", "message"),
    [
        (lambda: with_working_paper(3), [], CHANGE, InvalidValueError, "unchanged"),
        (
            lambda: packaged() | {"x": {"trigger": "whim", "action": "destroy"}},
            [],
            CHANGE,
            InvalidValueError,
            "trigger must be one of",
        ),
        (
            lambda: with_working_paper(2),
            ["contract"],
            CHANGE,
            InvalidValueError,
            "contract",
        ),
        (
            lambda: with_working_paper(2),
            [],
            Meta("rhea", "custodian"),
            InvalidValueError,
            "reason",
        ),
        (
            lambda: with_working_paper(2),
            [],
            CONTRIBUTOR,
            RoleRequiredError,
            "custodian",
        ),
        (dict, [], CHANGE, InvalidValueError, "needs at least one"),
    ],
)
def test_a_bad_change_is_refused_and_records_nothing(
    services: Services,
    classes: Any,
    retroactive: list[str],
    meta: Meta,
    error: type[Exception],
    message: str,
) -> None:
    app: PmoApplication = services.app
    app.change_retention_schedule(with_working_paper(3), [], CHANGE)
    position = app.head_position()
    with pytest.raises(error, match=message):
        app.change_retention_schedule(classes(), retroactive, meta)
    assert app.head_position() == position
    assert len(app.retention_history().versions) == 2


def test_retention_apply_shows_the_diff_asks_then_records(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMO_LEDGER_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("PMO_LEDGER_DATABASE_URL", settings.database_url)
    proposal = tmp_path / "retention.toml"
    text = DEFAULT_FILE.read_text()
    proposal.write_text(
        text.replace("period = { years = 1 }", "period = { years = 2 }")
    )
    runner = CliRunner()
    apply = ["retention", "apply", str(proposal), "--reason", "policy v2"]
    declined = runner.invoke(main, apply, input="n\n")
    assert declined.exit_code == 1 and "not recorded" in declined.output
    assert "~ working-paper: period '1 year' -> '2 years'" in declined.output
    recorded = runner.invoke(main, [*apply, "--yes", "--retroactive", "working-paper"])
    assert recorded.exit_code == 0, recorded.output
    assert "recorded schedule version 2" in recorded.output
    again = runner.invoke(main, [*apply, "--yes"])
    assert again.exit_code == 0 and "no change" in again.output
    shown = runner.invoke(main, ["retention", "show"])
    assert '"retroactive": [\n  "working-paper"\n ]' in shown.output
    services = build_services(settings)
    try:
        versions = services.app.retention_history().versions
        assert [(v.number, v.reason) for v in versions][-1] == (2, "policy v2")
        assert versions[0].recorded_at is not None
        assert versions[1].recorded_at is not None
        assert versions[1].recorded_at - versions[0].recorded_at < timedelta(minutes=1)
    finally:
        services.close()


def test_the_document_page_shows_the_schedule_it_follows_and_as_at(
    services: Services,
) -> None:
    app = services.app
    services.runner.start()
    document = new_document(app, new_project(app))
    retention.record_initial_schedule(services)
    app.change_retention_schedule(with_working_paper(3), [], CHANGE)
    ui = Ui(services)
    assert ui.sign_in("custodian").status_code == 302
    ui.caught_up()
    now = ui.client.get(f"/ui/documents/{document}").text
    assert "Follows schedule</dt><dd>version 1, recorded" in now
    assert "Schedule now</dt><dd>version 2" in now
    assert "destroy 3 years after registration" in now
    first = app.retention_history().versions[0].recorded_at
    assert first is not None
    then = ui.client.get(
        f"/ui/documents/{document}",
        query_string={"as_of": first.strftime("%Y-%m-%dT%H:%M:%S.%f")},
    ).text
    assert "Schedule as at" in then
    assert "version 1, recorded" in then.split("Schedule as at")[1]
    assert "destroy 1 year after registration" in then
