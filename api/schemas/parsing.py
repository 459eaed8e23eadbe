"""The request parser every resource uses: hostile JSON is a 400, never a 500."""

from __future__ import annotations

import json
from typing import Any

import flask
from webargs.flaskparser import FlaskParser


class JsonParser(FlaskParser):
    """webargs' Flask parser, refusing JSON the standard decoder cannot hold.

    The decoder raises ValueError (not JSONDecodeError) for an integer of more
    than 4,300 digits and RecursionError for deeply nested arrays or objects;
    webargs turns only JSONDecodeError into a 400.
    """

    def _raw_load_json(self, req: flask.Request) -> Any:
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except (RecursionError, ValueError) as error:
            # A non-empty document: webargs reads an empty one as "no body".
            refused = json.JSONDecodeError(type(error).__name__, "body", 0)
            return self._handle_invalid_json_error(refused, req)
