"""`pmo-ledger privacy`: access, erase and list from the command line, while the
API's process (its aggregate cache) goes on serving the same store."""

from __future__ import annotations

import json

from service.domain.erasure import ERASED
from tests.ledger.test_ledger_cli import run
from tests.privacy.conftest import STAKEHOLDER, Office

NAME, EMAIL = "Philippa Cliffordson-Ames", "pca.cli@example.org"


def test_the_cli_exports_erases_and_lists(office: Office) -> None:
    project = office.project()
    person = STAKEHOLDER | {"name": NAME, "email": EMAIL}
    created = office.post(f"/projects/{project}/stakeholders", person)
    entry = created.json["id"]
    # The API's process has the entry cached with the plaintext.
    assert office.get(f"/stakeholders/{entry}").json["name"] == NAME

    code, out = run(office, "privacy", "access", "--email", EMAIL.upper())  # type: ignore[arg-type]
    assert code == 0, out
    (item,) = json.loads(out)["items"]
    assert item["values"] == {"name": NAME, "email": EMAIL}

    code, out = run(
        office, "privacy", "erase", "--legal-basis", "objection", "--reason", "x"
    )  # type: ignore[arg-type]
    assert code == 1  # a refusal (its message goes to stderr), nothing erased
    erase = ["privacy", "erase", "--name", f"  {NAME.lower()} ", "--reason", "asked"]
    code, out = run(office, *erase, "--legal-basis", "consent-withdrawn")  # type: ignore[arg-type]
    assert code == 0, out
    assert "1 subject key(s) destroyed" in out

    shown = office.get(f"/stakeholders/{entry}").json
    assert (shown["name"], shown["email"]) == (ERASED, ERASED)
    code, out = run(office, "privacy", "erasures")  # type: ignore[arg-type]
    assert code == 0 and "consent-withdrawn  1 subject(s)  asked" in out


def test_the_cli_erases_an_account_while_the_api_serves(office: Office) -> None:
    leaver = "Barnaby Quillfeather-Nkemelu"
    issued = office.post("/tokens", {"name": leaver, "role": "pmo-head"})
    office.tokens["leaver"] = issued.json["secret"]
    project = office.post(
        "/projects",
        {"code": "CLI-ACC", "name": "A", "sponsor": "S", "manager": "M"},
        role="leaver",
    ).json["id"]
    history = f"/projects/{project}/history"
    # The API's process has opened (and cached) the account's name.
    assert office.get(history).json["events"][0]["actor"] == leaver

    refused = ["privacy", "erase-account", "--name", "cli", "--reason", "x"]
    code, out = run(office, *refused, "--legal-basis", "objection")  # type: ignore[arg-type]
    assert code == 1  # the service's own actor: refused, nothing erased
    erase = ["privacy", "erase-account", "--name", leaver, "--reason", "left"]
    code, out = run(office, *erase, "--legal-basis", "no-longer-necessary")  # type: ignore[arg-type]
    assert code == 0, out
    assert "1 subject key(s) destroyed" in out

    # The API's process sees the erasure at its next head check.
    assert office.get(history).json["events"][0]["actor"] == ERASED
    assert office.get("/projects", role="leaver").status_code == 401
