"""Legal consequences of designations, checked against every program tag in the real lists."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from lxml import etree

from clearance import register
from clearance.legal import (
    Consequence,
    block_worthy,
    consequences_for,
    consequences_for_entity,
    program_authority,
)
from clearance.model import Entity, Name
from conftest import LISTS

SDN_REPORTING = {"report_10_days", "reject_report", "annual_report", "keep_records"}


def _csv_programs(path: Path) -> set[str]:
    """Program tags of an OFAC legacy CSV (4th column, ``A] [B``), read without the importer."""
    text = path.read_bytes().decode("latin-1").replace("\x1a", "")
    tags: set[str] = set()
    for row in csv.reader(text.splitlines()):
        if len(row) > 3 and row[3].strip() not in ("", "-0-"):
            tags.update(tag.strip() for tag in row[3].split("] ["))
    return tags


@pytest.fixture(scope="module")
def sdn_programs() -> set[str]:
    tags: set[str] = set()
    for path in sorted((LISTS / "ofac_sdn").glob("*/sdn.csv")):
        tags |= _csv_programs(path)
    return tags


@pytest.fixture(scope="module")
def cons_programs() -> set[str]:
    tags = _csv_programs(LISTS / "ofac_cons" / "csv_2025-12" / "cons_prim.csv")
    tree = etree.parse(str(LISTS / "ofac_cons" / "xml_2025-06-30" / "consolidated.xml"))
    tags.update(el.text.strip() for el in tree.iter("{*}program") if el.text)
    return tags


@pytest.fixture(scope="module")
def un_list_types() -> set[str]:
    tree = etree.parse(str(LISTS / "un" / "UN_consolidated.xml"))
    return {el.text.strip() for el in tree.iter("UN_LIST_TYPE") if el.text}


def _codes(consequences: list[Consequence]) -> list[str]:
    return [c.code for c in consequences]


def test_every_sdn_program_tag_blocks_and_reports(sdn_programs: set[str]) -> None:
    assert len(sdn_programs) > 60 and {"FTO", "SDGT", "SDNTK", "TCO"} <= sdn_programs
    for program in sorted(sdn_programs):
        consequences = consequences_for([program], "us_ofac_sdn")
        codes = set(_codes(consequences))
        assert {"block", "fifty_percent_rule"} | SDN_REPORTING <= codes, program
        block = next(c for c in consequences if c.code == "block")
        assert "31 CFR 501" in block.legal_basis and block.programs == (program,)
        assert block_worthy([program], "us_ofac_sdn")


def test_sdn_program_tags_without_a_known_authority(sdn_programs: set[str]) -> None:
    """Real tags Clearance cites only generically (its authority table is kept conservative)."""
    generic = {p for p in sdn_programs if program_authority(p).startswith("OFAC sanctions program")}
    assert generic == {"IRGC", "SSIDES"}


def test_every_non_sdn_program_tag_does_not_block(cons_programs: set[str]) -> None:
    assert {"CMIC-EO13959", "UKRAINE-EO13662", "NS-PLC", "561-Related", "FSE-IR"} <= cons_programs
    for program in sorted(cons_programs):
        consequences = consequences_for([program], "us_ofac_cons")
        codes = _codes(consequences)
        assert codes[0] == "no_blocking", program
        assert "block" not in codes and not block_worthy([program], "us_ofac_cons")
    assert "securities_prohibition" in _codes(consequences_for(["CMIC-EO13959"], "us_ofac_cons"))
    assert "sectoral_directives" in _codes(consequences_for(["UKRAINE-EO13662"], "us_ofac_cons"))
    assert "correspondent_account_prohibition" in _codes(
        consequences_for(["561-Related"], "us_ofac_cons")
    )
    assert "reject_report" in _codes(consequences_for(["FSE-IR"], "us_ofac_cons"))
    # An SDGT tag on the non-SDN list is not an SDN blocking: the dataset decides.
    assert "block" not in _codes(consequences_for(["SDGT"], "us_ofac_cons"))


def test_every_un_list_type_maps_to_its_resolutions(un_list_types: set[str]) -> None:
    assert {"Al-Qaida", "Taliban", "DPRK"} <= un_list_types
    for list_type in sorted(un_list_types):
        (freeze,) = consequences_for([list_type], "un_sc_sanctions")
        assert freeze.code == "un_asset_freeze"
        assert freeze.legal_basis.startswith("UNSC resolution"), list_type
        assert block_worthy([list_type], "un_sc_sanctions")
    (alqaida,) = consequences_for(["UN Al-Qaida"], "un_sc_sanctions")
    assert "1267" in alqaida.legal_basis
    (south_sudan,) = consequences_for(["SouthSudan"], "un_sc_sanctions")
    assert "2206" in south_sudan.legal_basis


def test_fto_means_material_support_and_retain_and_report() -> None:
    codes = _codes(consequences_for(["FTO"], "us_designations"))
    assert codes[:2] == ["material_support", "retain_report"]
    assert "block" not in codes  # FTO alone: retain (31 CFR 597), not an IEEPA blocking
    assert set(codes) >= SDN_REPORTING
    retain = consequences_for(["FTO"], "us_designations")[1]
    assert "31 CFR 597.201" in retain.legal_basis and "10 business days" in retain.obligation
    assert block_worthy(["FTO"], "us_designations")


def test_sdgt_means_block_and_secondary_sanctions() -> None:
    consequences = consequences_for(["SDGT"], "us_ofac_sdn")
    block = next(c for c in consequences if c.code == "block")
    assert block.legal_basis.startswith("E.O. 13224")
    secondary = next(c for c in consequences if c.code == "secondary_sanctions")
    assert "13886" in secondary.legal_basis
    codes = _codes(consequences)
    assert "material_support" not in codes


def test_narcotics_and_tco_programs_block_under_their_own_authority() -> None:
    cases = {
        "SDNTK": "Kingpin",
        "ILLICIT-DRUGS-EO14059": "E.O. 14059",
        "TCO": "E.O. 13581",
    }
    for program, authority in cases.items():
        block = consequences_for([program], "us_ofac_sdn")[0]
        assert block.code == "block" and authority in block.legal_basis
        assert "secondary_sanctions" not in _codes(consequences_for([program], "us_ofac_sdn"))


def test_cartel_with_several_programs_gets_each_obligation_once() -> None:
    consequences = consequences_for(
        ["SDNTK", "FTO", "SDGT", "ILLICIT-DRUGS-EO14059", "SDGT"], "us_ofac_sdn"
    )
    codes = _codes(consequences)
    assert len(codes) == len(set(codes))
    block = next(c for c in consequences if c.code == "block")
    assert block.programs == ("SDNTK", "FTO", "SDGT", "ILLICIT-DRUGS-EO14059")
    for authority in ("Kingpin", "INA §219", "E.O. 13224", "E.O. 14059"):
        assert authority in block.legal_basis


def test_unknown_future_sdn_tag_falls_back_to_generic_sdn_consequences() -> None:
    codes = set(_codes(consequences_for(["NEWPROGRAM-EO99999"], "us_ofac_sdn")))
    assert {"block", "fifty_percent_rule"} | SDN_REPORTING <= codes
    assert program_authority("NEWPROGRAM-EO99999") == "E.O. 99999"
    assert block_worthy([], "us_ofac_sdn")  # every SDN is a blocked person


def test_register_entries_get_their_designations_consequences() -> None:
    (soles,) = register.lookup("Cartel of the Suns")
    codes = _codes(consequences_for_entity(soles))
    assert {"material_support", "retain_report", "block", "secondary_sanctions"} <= set(codes)
    farc = next(
        e for e in register.load() if e.id.endswith(":revolutionary-armed-forces-of-colombia")
    )
    assert _codes(consequences_for_entity(farc)) == ["designation_revoked"]
    assert not block_worthy(farc.programs, farc.dataset)
    (aum,) = register.lookup("Aum Shinrikyo")  # FTO revoked, remains SDGT
    assert "material_support" not in _codes(consequences_for_entity(aum))
    assert block_worthy(aum.programs, aum.dataset)


def test_secondary_sanctions_risk_stated_in_remarks_is_added() -> None:
    entity = Entity(
        id="us_ofac_sdn:1",
        schema="Organization",
        names=[Name("EXAMPLE BANK")],
        programs=["IRAN"],
        properties={"secondarySanctionsRisk": ["Section 1(b) of Executive Order 13224"]},
    )
    secondary = [c for c in consequences_for_entity(entity) if c.code == "secondary_sanctions"]
    assert len(secondary) == 1 and "13224" in secondary[0].legal_basis


def test_unknown_dataset_asks_for_review() -> None:
    (review,) = consequences_for(["EU"], "eu_fsf")
    assert review.code == "check_list" and not block_worthy(["EU"], "eu_fsf")


def test_consequence_serialises_for_interfaces() -> None:
    data = consequences_for(["SDGT"], "us_ofac_sdn")[0].to_dict()
    assert set(data) == {"code", "title", "legal_basis", "obligation", "programs"}
    assert data["programs"] == ["SDGT"]
