"""Extreme values for fuzzing the live server (decision 105).

A case schemathesis draws has one body or query value replaced by an extreme
one: a huge or unusual Unicode string, a huge or negative number, JSON nested
hundreds deep, a moment at the ends of the calendar.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import strategies as st

from tests.security.test_hostile_input import IN_RANGE, OUT_OF_RANGE

# Up to 500 characters: percent-encoded, a query stays within gunicorn's
# request line (8190 bytes), which gunicorn itself refuses beyond.
SHORT_TEXT = st.text(
    alphabet=st.characters(codec="utf-8"), min_size=0, max_size=50
).map(lambda text: text * 10)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([-1, 0, 2**31, 2**63, -(2**63) - 1, 10**30]),
    st.floats(allow_nan=False, allow_infinity=False),
)
MOMENTS = st.sampled_from([*IN_RANGE, *OUT_OF_RANGE, "2026-02-30T00:00:00Z"])
SCALARS = st.one_of(SHORT_TEXT, NUMBERS, MOMENTS, st.booleans(), st.none())
BODY_VALUES = st.one_of(
    SCALARS,
    st.sampled_from(["x" * 300_000, "\u0000" * 10, "\U0001f600" * 50_000]),
    st.integers(min_value=1, max_value=3).map(lambda n: nested(200 * n)),
    st.lists(SCALARS, max_size=5),
)


def nested(depth: int) -> Any:
    """A list nested `depth` deep."""
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


@schemathesis.check
def refused_as_problem(ctx: Any, response: Any, case: schemathesis.Case) -> None:
    """Every 4xx answer is problem+json."""
    if 400 <= response.status_code < 500:
        found = {k.lower(): v for k, v in response.headers.items()}
        media = found.get("content-type", [""])
        media = media[0] if isinstance(media, list) else media
        assert media.startswith("application/problem+json"), (
            f"{response.status_code} as {media!r}"
        )


def push_to_extreme(case: schemathesis.Case, data: st.DataObject) -> bool:
    """Replace one value of the case's body or query with an extreme one
    (False: the case has neither)."""
    places = []
    if isinstance(case.body, dict):
        places.append("body")
    if case.operation.query:
        places.append("query")
    if not places:
        return False
    place = data.draw(st.sampled_from(places))
    if place == "body":
        keys = sorted(case.body) or ["extra"]
        case.body[data.draw(st.sampled_from(keys))] = data.draw(BODY_VALUES)
    else:
        names = sorted(p.name for p in case.operation.query)
        query = dict(case.query or {})
        query[data.draw(st.sampled_from(names))] = str(data.draw(SCALARS))
        case.query = query
    return True
