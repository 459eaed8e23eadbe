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
