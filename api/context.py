"""The services of the running application, for every adapter that serves a request."""

from __future__ import annotations

from flask import current_app

from usecases.root import Services


def services() -> Services:
    """The services the app was built with (the one reader of its config)."""
    value: Services = current_app.config["PMO_SERVICES"]
    return value
