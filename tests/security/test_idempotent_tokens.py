"""POST /tokens with an Idempotency-Key: the secret is never kept, never replayed."""

from __future__ import annotations

from sqlalchemy import select

from api.idempotency import keys
from tests.api.conftest import Api


def kept_rows(api: Api) -> list[str]:
    """Every stored column of every idempotency row, as text."""
    with api.services.views_engine.connect() as conn:
        rows = conn.execute(select(keys)).all()
    return [str(value) for row in rows for value in row]


def test_the_secret_is_not_kept_and_a_replay_does_not_show_it(api: Api) -> None:
    key = {"Idempotency-Key": "token-for-casey"}
    body = {"name": "Casey", "role": "contributor"}
    first = api.post("/tokens", body, headers=key)
    assert first.status_code == 201
    secret = first.json["secret"]
    assert not any(secret in value for value in kept_rows(api))

    head = api.head()
    again = api.post("/tokens", body, headers=key)
    assert api.head() == head
    assert again.status_code == 409
    assert again.headers["Content-Type"] == "application/problem+json"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["token_id"] == first.json["id"]
    assert again.headers["Location"] == first.headers["Location"]
    assert secret not in again.get_data(as_text=True)
    assert secret not in str(again.headers)
    # The token the first answer showed still works; the replay issued none.
    assert (
        api.client.get(
            "/api/v1/projects", headers={"Authorization": f"Bearer {secret}"}
        ).status_code
        == 200
    )


def test_other_writes_still_replay_their_first_answer(api: Api) -> None:
    key = {"Idempotency-Key": "project-after-token"}
    body = {"code": "IDEM-T", "name": "n", "sponsor": "s", "manager": "m"}
    first = api.post("/projects", body, headers=key)
    again = api.post("/projects", body, headers=key)
    assert (again.status_code, again.json) == (first.status_code, first.json)
