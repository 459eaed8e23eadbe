"""HTTP API, web UI and command line for pmo-ledger (`flask --app api` finds it)."""

from __future__ import annotations

from flask import Flask

from api.app import build_app
from service.config import Settings
from usecases.root import Services


def create_app(
    settings: Settings | None = None, services: Services | None = None
) -> Flask:
    """The Flask application, with the command line also under `flask --app api`."""
    from api.cli import main

    app = build_app(settings, services)
    for name, command in main.commands.items():
        app.cli.add_command(command, name)
    return app
