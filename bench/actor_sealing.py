"""What sealing each event's actor costs: the mapper's encode and decode of a
risk event recorded by a person (actor sealed) against the same event recorded
by the service itself (`system`, never sealed), interleaved in one run, and a
raw `sqlite3` insert of the same bytes as the floor a write pays anyway.

    cd bench && ../.venv/bin/python actor_sealing.py [--count 20000]
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from common import META, RawSQLite, interleaved, ratings, report, settings_for
from write_inprocess import identify

from service.domain.base import Meta
from usecases.root import build_services


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20_000)
    count = parser.parse_args().count
    with settings_for("sqlite") as settings:
        services = build_services(settings)
        app, mapper = services.app, services.app.mapper
        project = app.register_project("BENCH", "Bench", "", "S", "M", META).id
        risk = identify(app, project)
        events: dict[str, Any] = {}
        for name, actor in (("person", "olivia.officer"), ("service", "system")):
            meta = Meta(actor, "project-officer", "benchmark", "bench-1")
            app.perform("assess_risk", risk, ratings(2, 2, 1, 1), meta)
            (last,) = app.recorder.select_events(risk, desc=True, limit=1)
            events[name] = mapper.to_domain_event(last)
        person, service = events["person"], events["service"]
        stored = {
            "person": mapper.to_stored_event(person),
            "service": mapper.to_stored_event(service),
        }
        assert b"olivia" not in stored["person"].state
        raw = RawSQLite(settings.data_dir / "raw.db")
        rates = interleaved(
            {
                "encode_sealed": lambda: mapper.to_stored_event(person),
                "encode_plain": lambda: mapper.to_stored_event(service),
                "decode_sealed": lambda: mapper.to_domain_event(stored["person"]),
                "decode_plain": lambda: mapper.to_domain_event(stored["service"]),
                "raw_insert": lambda: raw.insert(stored["person"].state),
            },
            count,
        )
        services.close()
    per_event = {name: 1e6 / rate for name, rate in rates.items()}
    report(
        "actor_sealing",
        {
            "count": count,
            "load_avg_1m": os.getloadavg()[0],
            **{f"{name}_us": us for name, us in per_event.items()},
            "encode_sealed_vs_plain": per_event["encode_sealed"]
            / per_event["encode_plain"],
            "decode_sealed_vs_plain": per_event["decode_sealed"]
            / per_event["decode_plain"],
            "sealing_extra_vs_raw_insert": (
                per_event["encode_sealed"]
                - per_event["encode_plain"]
                + per_event["decode_sealed"]
                - per_event["decode_plain"]
            )
            / per_event["raw_insert"],
        },
    )


if __name__ == "__main__":
    main()
