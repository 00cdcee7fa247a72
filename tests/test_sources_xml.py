"""OFAC XML and UN consolidated XML importers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clearance.errors import InputError
from clearance.model import DateValue, IdKind, NameKind
from clearance.sources.ofac_xml import read_ofac_xml
from clearance.sources.un_xml import read_un_xml
from conftest import LISTS

OFAC_XML = LISTS / "ofac_cons/xml_2025-06-30/consolidated.xml"
UN_XML = LISTS / "un/UN_consolidated.xml"


@pytest.fixture(scope="module")
def ofac():  # type: ignore[no-untyped-def]
    return read_ofac_xml(OFAC_XML)


@pytest.fixture(scope="module")
def un():  # type: ignore[no-untyped-def]
    return read_un_xml(UN_XML)


def test_ofac_xml_counts_and_publish_date(ofac) -> None:  # type: ignore[no-untyped-def]
    text = OFAC_XML.read_text("utf-8")
    assert len(ofac.entities) == len(re.findall(r"<sdnEntry>", text)) == 443
    assert ofac.published == "2025-06-30"
    assert not ofac.warnings
    assert all(e.dataset == "us_ofac_cons" for e in ofac.entities)


def test_ofac_xml_entries(ofac) -> None:  # type: ignore[no-untyped-def]
    by_id = {e.id: e for e in ofac.entities}
    haniya = by_id["us_ofac_cons:9639"]
    assert haniya.schema == "Person" and haniya.caption == "HANIYA, Ismail Abdul Salah"
    assert haniya.names[0].first == "Ismail Abdul Salah" and haniya.names[0].last == "HANIYA"
    assert ("HANIYYA, Ismaeel", NameKind.ALIAS) in [(n.full, n.kind) for n in haniya.names]
    assert haniya.birth_dates == [DateValue("1962")] and haniya.birth_places == ["Shati"]
    assert haniya.programs == ["NS-PLC"]
    passports = [i for e in ofac.entities for i in e.identifiers if i.kind is IdKind.PASSPORT]
    assert [(i.number, i.country) for i in passports] == [("U00242309", "tr")]
    assert any(e.properties.get("website") for e in ofac.entities)
    assert any(e.gender == "male" for e in ofac.entities)
    linked = [e for e in ofac.entities if any(link.target_name == "HAMAS" for link in e.links)]
    assert linked  # "(Linked To: HAMAS)" in <remarks>


def test_un_counts_and_ids(un) -> None:  # type: ignore[no-untyped-def]
    text = UN_XML.read_text("utf-8")
    assert (
        sum(e.schema == "Person" for e in un.entities)
        == len(re.findall(r"<INDIVIDUAL>", text))
        == 730
    )
    assert (
        sum(e.schema == "Organization" for e in un.entities)
        == len(re.findall(r"<ENTITY>", text))
        == 273
    )
    refs = re.findall(r"<REFERENCE_NUMBER>([^<]+)<", text)
    assert {e.id for e in un.entities} == {f"un_sc_sanctions:{r.strip()}" for r in refs}
    assert un.published == "2026-02-27" and not un.warnings


def test_un_entry_with_original_script_and_between_dob(un) -> None:  # type: ignore[no-untyped-def]
    entity = next(e for e in un.entities if e.id == "un_sc_sanctions:QDi.314")
    assert entity.caption == "ABDERRAHMANE OULD EL AMAR"
    assert entity.names_of(NameKind.ORIGINAL_SCRIPT)[0].full == "عبد الرحمن ولد العامر"
    assert entity.birth_dates == [DateValue("1977", end="1982")]
    assert entity.programs == ["Al-Qaida"] and entity.listed_on == "2013-02-22"
    assert entity.nationalities == ["ml"]


def test_un_alias_quality_and_documents(un) -> None:  # type: ignore[no-untyped-def]
    kinds = {n.kind for e in un.entities for n in e.names}
    assert {NameKind.ALIAS, NameKind.WEAK_ALIAS, NameKind.FORMER} <= kinds
    badege = next(e for e in un.entities if e.id == "un_sc_sanctions:CDi.001")
    assert badege.birth_dates == [DateValue("1971")] and badege.gender == "male"
    assert "INTERPOL" in badege.properties["notes"][0]
    docs = [i for e in un.entities for i in e.identifiers]
    assert sum(i.kind is IdKind.PASSPORT for i in docs) > 300
    circa = [d for e in un.entities for d in e.birth_dates if d.circa]
    assert circa


def test_un_duplicate_reference_falls_back_to_dataid(tmp_path: Path) -> None:
    record = "<INDIVIDUAL><DATAID>{d}</DATAID><FIRST_NAME>A</FIRST_NAME><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER></INDIVIDUAL>"
    path = tmp_path / "un.xml"
    path.write_text(
        f"<CONSOLIDATED_LIST><INDIVIDUALS>{record.format(d=1)}{record.format(d=2)}</INDIVIDUALS></CONSOLIDATED_LIST>"
    )
    result = read_un_xml(path)
    assert [e.id for e in result.entities] == ["un_sc_sanctions:QDi.1", "un_sc_sanctions:2"]
    assert [w.kind for w in result.warnings] == ["duplicate_id"]


def test_unknown_root_names_file(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text("<?xml version='1.0'?><catalog><book/></catalog>")
    with pytest.raises(InputError, match="unknown XML root <catalog>") as info:
        read_ofac_xml(path)
    assert info.value.location.file == str(path)


def test_truncated_xml(tmp_path: Path) -> None:
    data = UN_XML.read_bytes()
    path = tmp_path / "UN_consolidated.xml"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError, match="malformed XML") as info:
        read_un_xml(path)
    assert info.value.location.line


def test_empty_xml(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.xml"
    path.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_ofac_xml(path)


def test_ofac_xml_duplicate_uid(tmp_path: Path) -> None:
    entry = "<sdnEntry><uid>5</uid><lastName>X{n}</lastName><sdnType>Entity</sdnType></sdnEntry>"
    path = tmp_path / "sdn.xml"
    path.write_text(
        '<sdnList xmlns="urn:x"><publshInformation><Publish_Date>01/02/2025</Publish_Date>'
        f"<Record_Count>2</Record_Count></publshInformation>{entry.format(n=1)}{entry.format(n=2)}</sdnList>"
    )
    result = read_ofac_xml(path)
    assert [e.caption for e in result.entities] == ["X1"]
    assert result.published == "2025-01-02"
    assert sorted(w.kind for w in result.warnings) == ["duplicate_id", "record_count"]
