"""The processors' log reader answers exactly as the recorder does."""

from __future__ import annotations

from projections.notifications import notification_reader
from tests.projections.conftest import workload
from usecases.root import Services


def test_the_reader_equals_the_recorders_select(services: Services) -> None:
    app = services.app
    workload(app, 300)
    recorder = app.recorder
    read = notification_reader(recorder)
    head = app.head_position()
    topics = sorted({n.topic for n in recorder.select_notifications(1, 1000)})
    cases = [
        (1, 1000, head, []),
        (1, 50, head, []),
        (17, 40, head - 30, []),
        (1, 1000, head, topics[:2]),
        (5, 7, head, topics[1:4]),
        (head, 10, head, []),
        (head + 1, 10, head + 5, []),
    ]
    for start, limit, stop, wanted in cases:
        expected = recorder.select_notifications(
            start=start, limit=limit, stop=stop, topics=wanted
        )
        got = read(start, limit, stop, wanted)
        assert list(got) == list(expected), (start, limit, stop, wanted)
    if services.settings.backend == "sqlite":  # ids shared from read to read
        first, again = read(1, 1, head, []), read(1, 1, head, [])
        assert first[0].originator_id is again[0].originator_id
