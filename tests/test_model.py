from clearance.model import (
    Address,
    DateValue,
    Entity,
    Identifier,
    IdKind,
    Link,
    Name,
    NameKind,
)


def test_entity_round_trips_through_dict_and_hash_ignores_source() -> None:
    entity = Entity(
        id="us_ofac_sdn:17674",
        schema="Person",
        names=[
            Name(
                "OSEGUERA CERVANTES, Ruben",
                NameKind.PRIMARY,
                first="Ruben",
                last="OSEGUERA CERVANTES",
            ),
            Name("Mencho", NameKind.WEAK_ALIAS),
        ],
        programs=["SDNTK", "SDGT"],
        birth_dates=[DateValue("1966-07-17"), DateValue("1964")],
        identifiers=[Identifier(IdKind.CURP, "OECN660717HJCSRM09", country="mx")],
        addresses=[Address("Guadalajara, Jalisco, Mexico", city="Guadalajara", country="mx")],
        links=[Link("linked_to", "CARTEL DE JALISCO NUEVA GENERACION", "us_ofac_sdn:17671")],
        source={"file": "sdn.csv", "line": 1},
    )
    assert entity.dataset == "us_ofac_sdn"
    assert entity.native_id == "17674"
    assert entity.caption == "OSEGUERA CERVANTES, Ruben"
    copy = Entity.from_dict(entity.to_dict())
    assert copy == entity
    copy.source = {"file": "other.csv", "line": 99}
    assert copy.content_hash() == entity.content_hash()
    copy.programs.append("FTO")
    assert copy.content_hash() != entity.content_hash()
