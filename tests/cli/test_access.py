"""`pmo-ledger access`: grant, revoke, clear, list, and the upgrade step."""

from __future__ import annotations

from click.testing import CliRunner

from api.cli import main
from service.config import Settings
from service.domain.base import Meta
from tests.cli.test_cli import env_for
from usecases.root import build_services

SETUP = Meta("setup", "pmo-head")


def test_memberships_and_clearances_from_the_command_line(settings: Settings) -> None:
    services = build_services(settings)
    try:
        old = services.app.issue_token("old", "custodian", SETUP)
        head = services.app.issue_token("head", "pmo-head", SETUP)
        project = services.app.register_project("CLI-1", "P", "", "S", "M", SETUP)
    finally:
        services.close()
    runner = CliRunner()
    env = env_for(settings)
    subject = f"token:{old.token_id}"

    def run(*args: str) -> str:
        result = runner.invoke(main, ["access", *args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    assert "granted 1 tokens" in run("grant-existing")
    assert "granted 0 tokens" in run("grant-existing")
    run("revoke", subject, "*", "--reason", "narrowed after the upgrade")
    run("grant", subject, "CLI-1", "--role", "custodian")
    run("clear", subject, "confidential")
    listed = run("list")
    line = next(x for x in listed.splitlines() if x.startswith(subject))
    assert f"{project.id}=custodian" in line and "confidential" in line
    assert "every project (role)" in next(
        x for x in listed.splitlines() if x.startswith(f"token:{head.token_id}")
    )
    refused = runner.invoke(
        main, ["access", "grant", subject, "NOPE", "--role", "custodian"], env=env
    )
    assert refused.exit_code != 0 and "NOPE" in refused.output
    services = build_services(settings)
    try:
        access = services.app.access_of(subject)
        assert access is not None
        assert access.memberships == {str(project.id): "custodian"}
        events = list(services.app.events.get(access.id))
        assert [type(e).__name__ for e in events] == [
            "Opened",
            "MembershipGranted",
            "ClearanceSet",
            "MembershipRevoked",
            "MembershipGranted",
            "ClearanceSet",
        ]
        assert events[3].meta.reason == "narrowed after the upgrade"
    finally:
        services.close()
