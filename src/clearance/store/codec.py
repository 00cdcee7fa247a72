"""Entity <-> stored JSON, fast enough for tens of thousands of rows per import.

``dataclasses.asdict`` (behind ``Entity.to_dict``) deep-copies every value and costs about
0.1 ms per entity; reading the slots directly gives the same dict several times faster. The
result equals ``Entity.to_dict()`` and the hash equals ``Entity.content_hash()`` (tested).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from typing import Any

from clearance.model import (
    Address,
    DateValue,
    Entity,
    Identifier,
    Link,
    Name,
    drop_late_defaults,
)

_ENTITY_FIELDS = tuple(f.name for f in fields(Entity))
#: Entity fields that hold lists of small dataclasses, with those dataclasses' field names.
_NESTED = {
    "names": tuple(f.name for f in fields(Name)),
    "birth_dates": tuple(f.name for f in fields(DateValue)),
    "identifiers": tuple(f.name for f in fields(Identifier)),
    "addresses": tuple(f.name for f in fields(Address)),
    "links": tuple(f.name for f in fields(Link)),
}


def entity_dict(entity: Entity) -> dict[str, Any]:
    """``entity.to_dict()`` without the deep copy (the dict shares ``source``'s values)."""
    data: dict[str, Any] = {}
    for name in _ENTITY_FIELDS:
        value = getattr(entity, name)
        nested = _NESTED.get(name)
        if nested is not None:
            value = [{key: getattr(item, key) for key in nested} for item in value]
        elif name == "properties":
            value = {prop: list(values) for prop, values in value.items()}
        elif isinstance(value, list):
            value = list(value)
        data[name] = value
    return drop_late_defaults(data)


def encode(entity: Entity) -> tuple[str, str]:
    """The stored JSON of ``entity`` and its content hash (which leaves ``source`` out).

    The hashed JSON is serialised once and ``source`` spliced in as the last key, instead of
    serialising the whole entity twice.
    """
    data = entity_dict(entity)
    source = data.pop("source")
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False)
    content_hash = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    stored = f'{payload[:-1]}, "source": {json.dumps(source, ensure_ascii=False)}}}'
    return stored, content_hash


def decode(text: str) -> Entity:
    return Entity.from_dict(json.loads(text))
