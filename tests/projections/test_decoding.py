"""Events decoded with shared ids and metadata equal the application's."""

from __future__ import annotations

from projections.decoding import sharing
from tests.projections.conftest import workload
from usecases.root import Services


def test_shared_decoding_equals_the_mappers(services: Services) -> None:
    workload(services.app, 300)
    recorder, mapper = services.app.recorder, services.app.mapper
    notifications = recorder.select_notifications(start=1, limit=10_000)
    shared = sharing(mapper)
    assert shared is not mapper
    decoded = [shared.to_domain_event(n) for n in notifications]
    for notification, event in zip(notifications, decoded, strict=True):
        expected = mapper.to_domain_event(notification)
        assert type(event) is type(expected)
        assert vars(event) == vars(expected)
    metas = [vars(e)["meta"] for e in decoded if "meta" in vars(e)]
    assert len({id(m) for m in metas}) < len(metas)  # repeated metadata shared


def test_nested_and_unusual_json_decodes_as_the_transcoder(services: Services) -> None:
    transcoder = services.app.mapper.transcoder
    shared = sharing(services.app.mapper).transcoder
    some_id = "0f7c1e3a52b44b8e9f0a6c2d41e8b7a3"
    uuid = f'{{"_type_":"uuid_hex","_data_":"{some_id}"}}'
    texts = [
        f'{{"ids":[{uuid},[{uuid},1,null]],"by":{{"x":{uuid},"_type_":"y"}}}}',
        '{"big":123456789012345678901234567890,"odd":NaN,"list":[[]]}',
        '[1,"two",{"_type_":"uuid_hex"}]',
    ]
    for text in texts:
        data = text.encode()
        assert shared.decode(data) == transcoder.decode(data)
