"""Token: id derived from the hash; issued once, revoked once."""

from __future__ import annotations

from uuid import uuid5

import pytest

from service.domain.base import InvalidValueError
from service.domain.token import TOKEN_NAMESPACE, Token
from tests.domain.support import HEAD, SHA, assert_refused, assert_same_on_replay


def test_issue_and_revoke() -> None:
    token = Token.issue("ci bot", "contributor", SHA, HEAD)
    assert token.id == Token.create_id(SHA) == uuid5(TOKEN_NAMESPACE, SHA)
    assert (token.name, token.role, token.status) == ("ci bot", "contributor", "active")
    token.revoke(HEAD)
    assert token.status == "revoked"
    assert_refused("revoked", token.revoke, HEAD)
    assert_same_on_replay(token)


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("name", ("", "auditor", SHA)),
        ("role", ("bot", "admin", SHA)),
        ("token_hash", ("bot", "auditor", SHA.upper())),
        ("token_hash", ("bot", "auditor", SHA[:-1])),
    ],
)
def test_issue_refuses_bad_values(field: str, args: tuple[str, str, str]) -> None:
    with pytest.raises(InvalidValueError) as caught:
        Token.issue(*args, HEAD)
    assert caught.value.field == field
