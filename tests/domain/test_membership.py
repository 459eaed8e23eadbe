"""A person's access record: memberships, clearance, and what counts as narrowing."""

from __future__ import annotations

import uuid

import pytest

from service.domain.base import InvalidValueError, Meta, TransitionError
from service.domain.membership import Access

META = Meta("head", "pmo-head", "because")
PROJECT = uuid.uuid4()


def test_subjects_name_a_token_or_a_provider_user() -> None:
    Access.open(f"token:{uuid.uuid4()}", META)
    Access.open("oidc:alice@example.org", META)
    for bad in ("alice", "token:not-a-uuid", "oidc:", "oidc:two words"):
        with pytest.raises(InvalidValueError):
            Access.open(bad, META)


def test_grants_revocations_and_clearances_and_what_narrows() -> None:
    access = Access.open("oidc:alice", META)
    access.grant(PROJECT, "contributor", META)
    access.grant(None, "custodian", META)
    assert access.role_in(PROJECT) == "contributor"
    assert access.role_in(uuid.uuid4()) == "custodian"
    assert access.narrowed == 0
    with pytest.raises(TransitionError):
        access.grant(PROJECT, "contributor", META)
    with pytest.raises(InvalidValueError):
        access.grant(PROJECT, "pmo-head", META)
    access.grant(PROJECT, "project-officer", META)  # a changed role may narrow
    assert access.narrowed == 1
    access.revoke(None, META)
    assert access.narrowed == 2 and access.role_in(uuid.uuid4()) is None
    with pytest.raises(TransitionError):
        access.revoke(None, META)
    access.clear("restricted", META)
    assert access.narrowed == 2
    access.clear("public", META)
    assert access.narrowed == 3
    with pytest.raises(InvalidValueError):
        access.clear("secret", META)
    names = [type(e).__name__ for e in access.collect_events()]
    assert names[0] == "Opened" and names.count("ClearanceSet") == 2
