"""The application's tables keep their stored name, whatever its classes are called."""

from __future__ import annotations

from service.app import PmoApplication
from service.application import STORED_NAME, ApplicationBase
from usecases.root import Services


def test_every_application_class_keeps_the_stored_name() -> None:
    class Renamed(PmoApplication):
        pass

    names = {cls.name for cls in (ApplicationBase, PmoApplication, Renamed)}
    assert names == {STORED_NAME} == {"PmoLedger"}


def test_the_event_table_is_named_by_the_stored_name(services: Services) -> None:
    table = getattr(services.app.recorder, "events_table_name", "")
    expected = "pmoledger_events" if services.settings.backend == "postgres" else table
    assert table == expected and table
