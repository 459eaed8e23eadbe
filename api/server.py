"""Runs the Flask app under gunicorn, created after the workers fork."""

from __future__ import annotations

import multiprocessing
from typing import Any

from gunicorn.app.base import BaseApplication

from service.config import Settings


class GunicornServer(BaseApplication):
    """An embedded gunicorn that loads our app in each worker (no preload)."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply our options on top of api/gunicorn_conf.py."""
        self.cfg.set("config", None)
        from api import gunicorn_conf

        for key in dir(gunicorn_conf):
            if key in self.cfg.settings and not key.startswith("_"):
                self.cfg.set(key, getattr(gunicorn_conf, key))
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Build the app inside the worker process."""
        from api import create_app
        from api.bootstrap import build_services

        services = build_services(
            self.settings,
            create_tables=False,
            start_processors=self.settings.run_processors,
        )
        return create_app(services=services)


def server_options(settings: Settings) -> dict[str, Any]:
    """Workers and threads for the configured backend."""
    if settings.backend == "sqlite":
        workers, threads = 1, 8
    else:
        workers, threads = max(2, multiprocessing.cpu_count()), 4
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": workers,
        "threads": threads,
    }
