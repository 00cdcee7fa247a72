"""The built-in US FTO/SDGT designation register, shipped as package data.

``designations.json`` is written by :mod:`clearance.register.build` from the facts CSVs and read
here, so every install can screen against the register with nothing imported. Entities are of
dataset ``us_designations``; each register entry links ``same_as`` to the group's SDN entry where
the facts name one, and :func:`register_links_for` gives the reverse direction for SDN pages.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from clearance.errors import InputError, Location
from clearance.model import DATASET_REGISTER, Entity, Link, Name, NameKind
from clearance.sources.batch import SourceBatch

DATA_FILE = Path(__file__).with_name("designations.json")
TOPICS = ["crime.terror", "sanction"]


def fold(text: str) -> str:
    """Accent- and case-insensitive form of a name: the key for slugs and exact lookup."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    without_apostrophes = re.sub(r"['’`ʼ]", "", stripped.casefold())
    return " ".join(re.sub(r"[^0-9a-z]+", " ", without_apostrophes).split())


def slug(name: str) -> str:
    """The native id of a register entry, e.g. ``Cártel de Sinaloa`` -> ``cartel-de-sinaloa``."""
    return fold(name).replace(" ", "-")


@cache
def _raw() -> tuple[bytes, dict[str, Any]]:
    """The register file's bytes and parsed document (read once per process)."""
    try:
        data = DATA_FILE.read_bytes()
        document = json.loads(data)
    except (OSError, ValueError) as exc:
        raise InputError(
            f"cannot read the built-in register: {exc}", Location(str(DATA_FILE))
        ) from None
    return data, document


def _record_ref(record: dict[str, Any]) -> str:
    return f"{record['source_file']} line {record['line']}"


def _entity(entry: dict[str, Any]) -> Entity:
    """A register entry as an Organization entity."""
    names = [Name(entry["name"], NameKind.PRIMARY)]
    names += [
        Name(alias["name"], NameKind.WEAK_ALIAS if alias["weak"] else NameKind.ALIAS)
        for alias in entry["aliases"]
    ]
    records = entry["designations"]
    sdn_names = {
        r["sdn_entry"]["id"]: r["sdn_entry"]["name"]
        for r in reversed(records)
        if r["sdn_entry"] and r["sdn_entry"]["name"]
    }
    entity = Entity(
        id=entry["id"],
        schema="Organization",
        names=names,
        dataset=DATASET_REGISTER,
        programs=list(entry["programs"]),
        legal_basis=list(entry["authorities"]),
        listed_on=entry["listed_on"],
        links=[
            Link("same_as", sdn_names.get(target, entry["name"]), target)
            for target in entry["sdn_links"]
        ],
        topics=list(TOPICS) if entry["programs"] else [],
        source={"file": DATA_FILE.name, "records": records},
    )
    entity.properties["verified"] = ["true" if entry["verified"] else "false"]
    for revoked in entry["revoked"]:
        entity.add_property(
            "revokedDesignation",
            f"{revoked['program']} revoked {revoked['date'] or 'date unknown'}",
        )
    for record in records:
        ref = _record_ref(record)
        when = record["date_designated"] or "date unknown"
        entity.add_property(
            "designation",
            f"{'+'.join(record['programs'])} {when}, {'; '.join(record['authority'])} ({ref})",
        )
        for program in record["also_designated"]:
            entity.add_property("designation", f"{program} (stated in the notes, {ref})")
        if record["federal_register_citation"]:
            entity.add_property("citation", record["federal_register_citation"])
        for url in record["source_urls"]:
            entity.add_property("sourceUrl", url)
        for reference in record["source_references"]:
            entity.add_property("sourceReference", reference)
        if record["notes"]:
            entity.add_property("notes", record["notes"])
        for reason in record["unverified_reasons"]:
            entity.add_property("unverifiedReason", f"{reason} ({ref})")
    return entity


def load() -> list[Entity]:
    """Every register entry (revoked ones included, marked) as an entity, ordered by id."""
    return [_entity(entry) for entry in _raw()[1]["entries"]]


def load_batch() -> SourceBatch:
    """The register as a store version: hashed over the JSON bytes, labelled by its newest date."""
    data, document = _raw()
    newest = document["newest_designation"]
    return SourceBatch(
        dataset=DATASET_REGISTER,
        entities=load(),
        files=[DATA_FILE],
        content_hash=hashlib.sha256(data).hexdigest(),
        label=f"built-in register {newest}",
        format="register",
        published=newest,
    )


@cache
def _reverse_links() -> dict[str, tuple[str, ...]]:
    reverse: dict[str, list[str]] = {}
    for entry in _raw()[1]["entries"]:
        for target in entry["sdn_links"]:
            reverse.setdefault(target, []).append(entry["id"])
    return {target: tuple(ids) for target, ids in reverse.items()}


def register_links_for(entity_id: str) -> list[str]:
    """Register entry ids that name ``entity_id`` (an SDN id) as their SDN entry."""
    return list(_reverse_links().get(entity_id, ()))


@cache
def _name_index() -> dict[str, tuple[int, ...]]:
    """Folded primary names and strong aliases -> positions of their entries."""
    index: dict[str, list[int]] = {}
    for position, entry in enumerate(_raw()[1]["entries"]):
        keys = [fold(entry["name"])]
        keys += [fold(a["name"]) for a in entry["aliases"] if not a["weak"]]
        for key in dict.fromkeys(keys):
            index.setdefault(key, []).append(position)
    return {key: tuple(positions) for key, positions in index.items()}


def lookup(name: str) -> list[Entity]:
    """Register entries whose name or strong alias equals ``name``, ignoring case, accents and
    punctuation. Weak aliases (e.g. "Federation") confirm a hit but never raise one alone."""
    entries = _raw()[1]["entries"]
    return [_entity(entries[i]) for i in _name_index().get(fold(name), ())]
