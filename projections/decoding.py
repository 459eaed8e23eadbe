"""Events decoded for the read models with repeated immutable values shared.

A log repeats the same aggregate ids and the same `Meta` (actor, role, reason,
request) across many events. The application's mapper builds a fresh `UUID`
or `Meta` for each; here each distinct one is decoded once, by the
application's own transcoding, and then shared, since both are immutable.
Every other value, and the building of the event itself, is the mapper's own,
so the events equal the mapper's. The JSON is parsed by orjson, faster than
the standard library, and its objects then decoded innermost first, as the
standard decoder's object hook would.
"""

from __future__ import annotations

import copy
import json
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import JSONTranscoder, Mapper, Transcoder

from service.domain.base import Meta

MEMO_LIMIT = 5_000
SHARED = {"uuid_hex": UUID, "meta": Meta}  # transcoding name -> immutable type


class SharingDecoder(Transcoder):
    """The JSON transcoder's decoding, each distinct id and `Meta` decoded once."""

    def __init__(self, transcoder: JSONTranscoder) -> None:
        self.transcoder = transcoder
        self.names = transcoder.names
        # Keys do not collide: ids are their hex strings, metadata its values.
        self.memo: dict[Any, Any] = {}
        self.decoder = json.JSONDecoder(object_hook=self._decode_obj)

    def encode(self, obj: Any) -> bytes:
        """Encode as the application does."""
        return self.transcoder.encode(obj)

    def decode(self, data: bytes) -> Any:
        """Decode as the application does, sharing repeated ids and metadata."""
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:  # NaN, integers beyond 64 bits, bad text
            return self.decoder.decode(data.decode("utf8"))
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        if type(value) is dict:
            for key, item in value.items():
                if type(item) is dict or type(item) is list:
                    value[key] = self._walk(item)
            return self._decode_obj(value)
        if type(value) is list:
            return [
                self._walk(item) if type(item) is dict or type(item) is list else item
                for item in value
            ]
        return value

    def _decode_obj(self, d: dict[str, Any]) -> Any:
        if len(d) != 2:
            return d
        name = d.get("_type_")
        if name is None or "_data_" not in d:
            return d
        data = d["_data_"]
        if name not in SHARED:
            return self.transcoder._decode_obj(d)
        key = data if name == "uuid_hex" else tuple(data.values())
        memo = self.memo
        try:
            return memo[key]
        except KeyError:
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            decoded = memo[key] = self.names[name].decode(data)
            return decoded


def sharing(mapper: Mapper[Any]) -> Mapper[Any]:
    """A copy of `mapper` whose decoding shares ids and metadata.

    `mapper` itself if its transcoder is not the JSON one, or its transcodings
    of those names do not make the expected immutable types.
    """
    transcoder = mapper.transcoder
    if not isinstance(transcoder, JSONTranscoder) or any(
        transcoder.names.get(name) is None or transcoder.names[name].type is not kind
        for name, kind in SHARED.items()
    ):
        return mapper
    shared = copy.copy(mapper)
    shared.transcoder = SharingDecoder(transcoder)
    return shared
