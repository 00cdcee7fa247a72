"""FollowTheMoney: ids, properties, sanctions and relations checked with the real ``followthemoney``
library, on the real lists, and an OpenSanctions-style file round-tripped."""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model as ftm_model
from followthemoney.types import registry
from hypothesis import given
from hypothesis import strategies as st

from clearance.export import write_ftm
from clearance.matching import Screener
from clearance.model import Entity, IdKind, entity_id_of, ftm_id, relations
from clearance.sources import SourceBatch, read_paths
from clearance.sources.ftm_json import read_ftm
from conftest import LISTS


@pytest.fixture(scope="module")
def sdn() -> SourceBatch:
    [batch] = read_paths([LISTS / "ofac_sdn/sdn_2024-05-03/sdn.csv"])
    return batch


@pytest.fixture(scope="module")
def un() -> SourceBatch:
    [batch] = read_paths([LISTS / "un/UN_consolidated.xml"])
    return batch


def _export(entities: list[Entity]) -> list[dict[str, Any]]:
    out = io.StringIO()
    write_ftm(entities, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _sample(batch: SourceBatch) -> list[Entity]:
    """Entities of every kind the exporter treats specially: wallets, vessels, aircraft,
    links of each kind, phones, websites, e-mails."""
    wanted: list[Entity] = []
    kinds: Counter[str] = Counter()
    for entity in batch.entities:
        traits = {entity.schema}
        traits |= {f"link:{link.relation}" for link in entity.links}
        traits |= {f"prop:{p}" for p in entity.properties}
        if any(i.kind is IdKind.CRYPTO for i in entity.identifiers):
            traits.add("wallet")
        if any(kinds[t] < 15 for t in traits):
            wanted.append(entity)
            kinds.update(traits)
    return wanted


def assert_valid_ftm(lines: list[dict[str, Any]], closed: bool = True) -> None:
    """Every line loads in followthemoney with no id, property or value dropped, no id
    repeats, and (``closed``: a whole dataset) every reference points at an exported id."""
    ids = Counter(line["id"] for line in lines)
    assert [i for i, n in ids.items() if n > 1] == []
    for line in lines:
        assert registry.entity.validate(line["id"]), line["id"]
        schema = ftm_model.get(line["schema"])
        assert schema is not None
        assert set(line["properties"]) <= set(schema.properties), line["id"]
        proxy = ftm_model.get_proxy(line, cleaned=False)
        assert proxy.id == line["id"]
        assert proxy.properties == line["properties"], line["id"]
        for prop, values in line["properties"].items():
            if schema.properties[prop].type == registry.entity:
                assert all(registry.entity.validate(v) for v in values)
                assert not closed or all(v in ids for v in values), (line["id"], prop, values)


@given(
    st.sampled_from(["us_ofac_sdn", "un_sc_sanctions", "os_demo", "a"]),
    st.text(min_size=1, max_size=30),
)
def test_ftm_ids_are_valid_and_reversible(dataset: str, native: str) -> None:
    entity_id = f"{dataset}:{native}"
    converted = ftm_id(entity_id)
    assert registry.entity.validate(converted), converted
    known = ["us_ofac_sdn", "us_ofac_cons", "un_sc_sanctions", "os_demo", "a"]
    assert entity_id_of(converted, known) == entity_id
    assert entity_id_of(entity_id, known) == entity_id


def test_ftm_id_examples() -> None:
    assert ftm_id("us_ofac_sdn:6861") == "us-ofac-sdn-6861"
    assert ftm_id("un_sc_sanctions:QDi.001") == "un-sc-sanctions-QDi.001"
    assert entity_id_of("us-ofac-sdn-6861", ["us_ofac_sdn", "us_ofac_cons"]) == "us_ofac_sdn:6861"


def test_sdn_export_is_valid_ftm(sdn: SourceBatch) -> None:
    sample = _sample(sdn)
    lines = _export(sample)
    assert_valid_ftm(lines, closed=False)
    schemata = Counter(line["schema"] for line in lines)
    assert schemata["Sanction"] == len(sample)
    assert schemata["UnknownLink"] and schemata["Family"] and schemata["Membership"]
    assert schemata["CryptoWallet"] and schemata["Vessel"] and schemata["Airplane"]
    by_id = {line["id"]: line for line in lines}
    for entity in sample:
        record = by_id[ftm_id(entity.id)]
        assert entity.id in record["referents"]
        extra = record.get("clearance", {}).get("extra", {})
        for prop, values in entity.properties.items():
            exported = record["properties"].get(prop, [])
            referenced = [v for v in values if prop in ("owner", "operator")]
            for value in values:
                # every value is in properties (maybe cleaned), a reference, or a named extra
                assert value in exported or value in extra.get(prop, []) or referenced or (
                    len(exported) == len(values)
                ), (entity.id, prop, value)
    # no Clearance-only property inside FtM properties
    assert not any("secondarySanctionsRisk" in line["properties"] for line in lines)
    assert any("secondarySanctionsRisk" in line.get("clearance", {}).get("extra", {}) for line in lines)


def test_wallet_ids_unique_and_holders_are_ids(sdn: SourceBatch) -> None:
    holders = [e for e in sdn.entities if any(i.kind is IdKind.CRYPTO for i in e.identifiers)]
    lines = _export(holders)
    assert_valid_ftm(lines, closed=False)
    wallets = [line for line in lines if line["schema"] == "CryptoWallet"]
    assert len({w["id"] for w in wallets}) == len(wallets)
    ids = {line["id"] for line in lines}
    assert all(w["properties"]["holder"][0] in ids for w in wallets)
    addresses = {
        (e.id, i.currency, i.number)
        for e in holders
        for i in e.identifiers
        if i.kind is IdKind.CRYPTO
    }
    assert len(wallets) == len(addresses)


def test_sanction_per_designation(sdn: SourceBatch) -> None:
    entity = next(e for e in sdn.entities if e.id == "us_ofac_sdn:6861")
    [sanction] = [line for line in _export([entity]) if line["schema"] == "Sanction"]
    props = sanction["properties"]
    assert props["entity"] == ["us-ofac-sdn-6861"]
    assert set(props["program"]) == set(entity.programs)
    assert "Office of Foreign Assets Control" in props["authority"][0]
    assert props["sourceUrl"][0].startswith("https://ofac.treasury.gov/")
    assert any("block" in p.lower() for p in props["provisions"])


def test_linked_to_resolves_to_the_listed_entity(sdn: SourceBatch) -> None:
    linked = [
        (e, link)
        for e in sdn.entities
        for link in e.links
        if link.relation == "linked_to" and link.target_id
    ]
    assert len(linked) > 1000
    entity, link = linked[0]
    target = next(e for e in sdn.entities if e.id == link.target_id)
    assert link.target_name.casefold() in {n.full.casefold() for n in target.names}
    [unknown] = [
        line
        for line in _export([entity])
        if line["schema"] == "UnknownLink" and line["properties"]["object"] == [ftm_id(target.id)]
    ]
    assert unknown["properties"]["subject"] == [ftm_id(entity.id)]


def test_un_export_and_round_trip(tmp_path: Path, un: SourceBatch) -> None:
    path = tmp_path / "un.ftm.json"
    write_ftm(un.entities, path)
    assert_valid_ftm([json.loads(line) for line in path.read_text().splitlines()])
    again = read_ftm(path)
    assert again.warnings == []
    assert [replace(e, source={}) for e in again.entities] == [
        replace(e, source={}) for e in un.entities
    ]


OPENSANCTIONS_STYLE = [
    {"id": "NK-owner", "schema": "Person", "datasets": ["os_demo"], "target": True,
     "referents": ["ofac-1234"],
     "properties": {"name": ["Ivan Petrov"], "birthDate": ["1961-02-03", "not a date"],
                    "nationality": ["ru", "Neverland"], "phone": ["+7 495 123 45 67"],
                    "favouriteColour": ["red"]}},
    {"id": "NK-holding", "schema": "Company", "datasets": ["os_demo"], "target": False,
     "properties": {"name": ["Petrov Holding Ltd"], "jurisdiction": ["cy"]}},
    {"id": "NK-wife", "schema": "Person", "datasets": ["os_demo"], "target": False,
     "properties": {"name": ["Anna Petrova"]}},
    {"id": "own-1", "schema": "Ownership", "datasets": ["os_demo"],
     "properties": {"owner": ["NK-owner"], "asset": ["NK-holding"], "percentage": ["75"],
                    "startDate": ["2015-06-01"]}},
    {"id": "fam-1", "schema": "Family", "datasets": ["os_demo"],
     "properties": {"person": ["NK-owner"], "relative": ["NK-wife"], "relationship": ["wife"]}},
    {"id": "san-1", "schema": "Sanction", "datasets": ["os_demo"],
     "properties": {"entity": ["NK-owner"], "program": ["RUSSIA-EO14024"],
                    "authority": ["Office of Foreign Assets Control"],
                    "listingDate": ["2022-03-11"], "sourceUrl": ["https://example.org/x"]}},
]  # fmt: skip


def _write(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_opensanctions_style_file_round_trips(tmp_path: Path) -> None:
    result = read_ftm(_write(tmp_path / "os.json", OPENSANCTIONS_STYLE))
    by_id = {e.id: e for e in result.entities}
    owner, holding = by_id["os_demo:NK-owner"], by_id["os_demo:NK-holding"]
    assert owner.target and not holding.target and not by_id["os_demo:NK-wife"].target
    assert owner.referents == ["NK-owner", "ofac-1234"]
    assert owner.programs == ["RUSSIA-EO14024"] and owner.listed_on == "2022-03-11"
    assert [d.value for d in owner.birth_dates] == ["1961-02-03"]
    assert owner.nationalities == ["ru"]
    warned = {(w.location.field, w.kind) for w in result.warnings}
    assert warned == {
        ("birthDate", "ftm_invalid_value"),
        ("nationality", "ftm_invalid_value"),
        ("favouriteColour", "ftm_unknown_property"),
    }
    assert all(w.location.line == 1 for w in result.warnings)
    [ownership] = relations(result.entities, "Ownership")
    assert ownership.ends == {"owner": "os_demo:NK-owner", "asset": "os_demo:NK-holding"}
    assert ownership.properties["percentage"] == ["75"]
    [family] = relations(result.entities, "Family")
    assert family.ends == {"relative": "os_demo:NK-wife", "person": "os_demo:NK-owner"}

    exported = _export(result.entities)
    assert_valid_ftm(exported)
    by_referent = {ref: line for line in exported for ref in line.get("referents", [])}
    by_id_out = {line["id"]: line for line in exported}
    for line in OPENSANCTIONS_STYLE:
        if line["schema"] in ("Person", "Company"):
            out = by_referent[line["id"]]
            assert out["target"] == line["target"]
        else:
            out = by_id_out[ftm_id(f"os_demo:{line['id']}")]
        assert out["schema"] == line["schema"]
        for prop, values in line["properties"].items():
            schema = ftm_model.get(line["schema"])
            if schema.get(prop) is None:
                continue  # warned at import
            for value in values:
                if schema.get(prop).type == registry.entity:
                    value = ftm_id(f"os_demo:{value}")
                cleaned = schema.get(prop).type.clean_text(value)
                if cleaned is not None:
                    assert cleaned in out["properties"][prop], (line["id"], prop, value)
    # importing the export gives the same entities back
    again = read_ftm(_write(tmp_path / "again.json", exported))
    assert [replace(e, source={}) for e in again.entities] == [
        replace(e, source={}) for e in result.entities
    ]


def test_non_target_entities_are_never_hits(tmp_path: Path) -> None:
    result = read_ftm(_write(tmp_path / "os.json", OPENSANCTIONS_STYLE))
    screener = Screener.from_entities(result.entities)
    assert [h.entity_id for h in screener.screen("Ivan Petrov")] == ["os_demo:NK-owner"]
    assert screener.screen("Petrov Holding Ltd", threshold=0.9) == []
    assert screener.screen("Anna Petrova", threshold=0.9) == []
