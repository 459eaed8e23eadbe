"""What people call an entry: its title, else the first text it shows."""

from __future__ import annotations

from service.domain.catalogue import entry_class_of


def test_an_entry_is_named_by_its_title_else_its_first_text_shown() -> None:
    def name(kind: str, row: dict[str, object]) -> str:
        return entry_class_of(kind).register_kind.entry_name(row)

    assert name("risks", {"title": "Crane", "owner": "Olivia"}) == "Crane"
    assert name("stakeholders", {"name": "Ada", "organisation": "Acme"}) == "Ada"
    assert name("demands", {"role": "", "skill": "Welding"}) == "Welding"
    assert name("diary", {"text": "Site visit"}) == "Site visit"
    unnamed = name("links", {"id": "0123456789abcdef", "note": None})
    assert unnamed == "Link 01234567"
