"""The OFAC remarks parser: clause splitting, dates, clause kinds, and coverage on the real file."""

from __future__ import annotations

import csv
import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearance.model import DateValue, Entity, IdKind, Link, NameKind
from clearance.sources.ofac_remarks import (
    apply_feature,
    parse_date,
    parse_remarks,
    parse_single_date,
    split_clauses,
)
from conftest import LISTS

SDN = LISTS / "ofac_sdn/sdn_2024-05-03/sdn.csv"
COMMENTS = LISTS / "ofac_sdn/comments_2025-12/sdn_comments.csv"


def _entity() -> Entity:
    return Entity("us_ofac_sdn:1", "Person", [])


# --- splitting -------------------------------------------------------------------------------

clause_text = (
    st.text(
        alphabet=st.characters(blacklist_characters=";()", blacklist_categories=("Cs", "Cc")),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(lambda s: s and not s.endswith("."))
)


@given(st.lists(clause_text, min_size=1, max_size=8))
def test_split_inverts_join(clauses: list[str]) -> None:
    assert split_clauses("; ".join(clauses) + ".") == clauses


@given(st.lists(clause_text, min_size=1, max_size=5), clause_text, clause_text)
def test_semicolons_inside_parentheses_stay(clauses: list[str], a: str, b: str) -> None:
    nested = f"Passport X1 ({a}; {b})"
    assert split_clauses("; ".join([*clauses, nested])) == [*clauses, nested]


def test_split_without_space_and_final_period() -> None:
    assert split_clauses("nationality possibly Palestinian;arrested 23 Apr 2002.") == [
        "nationality possibly Palestinian",
        "arrested 23 Apr 2002",
    ]


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17 Jul 1966", DateValue("1966-07-17")),
        ("Sep 1938", DateValue("1938-09")),
        ("1946", DateValue("1946")),
        ("circa 1951", DateValue("1951", circa=True)),
        ("circa 07 Jul 1966", DateValue("1966-07-07", circa=True)),
        ("1951 to 1953", DateValue("1951", end="1953")),
        ("01 Jan 1961 to 31 Dec 1962", DateValue("1961-01-01", end="1962-12-31")),
        ("Mar 1962 to Feb 1963", DateValue("1962-03", end="1963-02")),
        ("circa 1979-1982", DateValue("1979", end="1982", circa=True)),
        ("1966-07-17", DateValue("1966-07-17")),
    ],
)
def test_parse_date(text: str, expected: DateValue) -> None:
    assert parse_date(text) == expected


@given(st.dates())
def test_parse_date_round_trips_ofac_format(day) -> None:  # type: ignore[no-untyped-def]
    text = day.strftime("%d %b %Y")
    if day.year >= 1000:
        assert parse_date(text) == DateValue(day.isoformat())


@given(st.text(max_size=25))
def test_parse_date_is_total(text: str) -> None:
    result = parse_single_date(text)
    assert result is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", result)


@pytest.mark.parametrize("text", ["31 Foo 1960", "unknown", "32 Jan 1960", "1960-13"])
def test_bad_dates_are_rejected(text: str) -> None:
    assert parse_date(text) is None


# --- clause kinds ----------------------------------------------------------------------------


def test_oseguera_remarks() -> None:
    entity = _entity()
    clauses = parse_remarks(
        entity,
        "DOB 17 Jul 1966; alt. DOB 17 Jul 1964; POB Michoacan de Ocampo, Mexico; nationality "
        "Mexico; citizen Mexico; Gender Male; C.U.R.P. OECR660717HMNSRB00 (Mexico); "
        "a.k.a. 'El Mencho'; f.k.a. 'OLD NAME'; Linked To: CARTEL DE JALISCO NUEVA GENERACION.",
    )
    assert all(c.kind for c in clauses)
    assert entity.birth_dates == [DateValue("1966-07-17"), DateValue("1964-07-17")]
    assert entity.birth_places == ["Michoacan de Ocampo, Mexico"]
    assert entity.nationalities == ["mx"] and entity.citizenships == ["mx"]
    assert entity.gender == "male"
    [curp] = entity.identifiers
    assert (curp.kind, curp.number, curp.country) == (IdKind.CURP, "OECR660717HMNSRB00", "mx")
    assert [(n.full, n.kind) for n in entity.names] == [
        ("El Mencho", NameKind.WEAK_ALIAS),
        ("OLD NAME", NameKind.FORMER),
    ]
    assert entity.links == [Link("linked_to", "CARTEL DE JALISCO NUEVA GENERACION")]


@pytest.mark.parametrize(
    ("clause", "kind", "number", "country", "note"),
    [
        (
            "Passport G025057 issued 23 Jun 1999 expires 05 Feb 2004",
            IdKind.PASSPORT,
            "G025057",
            None,
            "issued 23 Jun 1999 expires 05 Feb 2004",
        ),
        ("Cedula No. 5892464 (Venezuela)", IdKind.CEDULA, "5892464", "ve", None),
        ("R.F.C. # IES-870805 (Mexico)", IdKind.RFC, "IES-870805", "mx", None),
        ("NIT # 800018928-0 (Colombia)", IdKind.TAX_ID, "800018928-0", "co", None),
        ("National ID No. 216040 (Yemen)", IdKind.NATIONAL_ID, "216040", "ye", None),
        (
            "Registration Number HRA 738077 (Stuttgart) (Germany)",
            IdKind.REGISTRATION,
            "HRA 738077 (Stuttgart)",
            "de",
            None,
        ),
        (
            "Legal Entity Number 253400V1H6ART1UQ0N98 (Russia)",
            IdKind.LEI,
            "253400V1H6ART1UQ0N98",
            "ru",
            None,
        ),
        ("SWIFT/BIC SABRRUMM", IdKind.SWIFT_BIC, "SABRRUMM", None, None),
        ("Vessel Registration Identification IMO 7406784", IdKind.IMO, "7406784", None, None),
        ("Identification Number IMO 5342883", IdKind.IMO, "5342883", None, None),
        ("MMSI 572469210", IdKind.MMSI, "572469210", None, None),
        (
            "Aircraft Manufacturer's Serial Number (MSN) 1023409321",
            IdKind.AIRCRAFT_SERIAL,
            "1023409321",
            None,
            None,
        ),
        ("Aircraft Tail Number EP-MMH", IdKind.AIRCRAFT_TAIL, "EP-MMH", None, None),
        ("Driver's License No. 180839 (Mexico)", IdKind.DRIVER_LICENSE, "180839", "mx", None),
        ("SSN 123-45-6789 (United States)", IdKind.SSN, "123-45-6789", "us", None),
        ("Kenyan ID No. 12773667", IdKind.NATIONAL_ID, "12773667", None, None),
        ("Diplomatic Passport A0002987 (Iran)", IdKind.PASSPORT, "A0002987", "ir", None),
    ],
)
def test_identifier_clauses(
    clause: str, kind: IdKind, number: str, country: str | None, note: str | None
) -> None:
    entity = _entity()
    [parsed] = parse_remarks(entity, clause)
    assert parsed.kind == f"id:{kind.value}"
    [identifier] = entity.identifiers
    assert (identifier.kind, identifier.number, identifier.country, identifier.note) == (
        kind,
        number,
        country,
        note,
    )


def test_crypto_address() -> None:
    entity = _entity()
    parse_remarks(
        entity,
        "Digital Currency Address - XBT 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h; alt. Digital "
        "Currency Address - USDT TE3mCcPULjPUE7ykX7RArDPAhyahoy3d2j.",
    )
    assert [(i.kind, i.currency, i.number) for i in entity.identifiers] == [
        (IdKind.CRYPTO, "XBT", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"),
        (IdKind.CRYPTO, "USDT", "TE3mCcPULjPUE7ykX7RArDPAhyahoy3d2j"),
    ]


def test_property_clauses() -> None:
    entity = Entity("us_ofac_sdn:2", "Organization", [])
    clauses = parse_remarks(
        entity,
        "Website www.bank-maskan.ir; Email Address info@x.ir; Phone Number 982188526300; "
        "Organization Established Date 28 Nov 2005; Organization Type: Activities of holding "
        "companies; Target Type Criminal Organization; Secondary sanctions risk: section 1(b) of "
        "Executive Order 13224, as amended by Executive Order 13886; Listing Date (EO 14024 "
        "Directive 2): 24 Feb 2022; Vessel Year of Build 1999; Former Vessel Flag Malta; "
        "Additional Sanctions Information - Subject to Secondary Sanctions; all offices "
        "worldwide; Free text nobody knows.",
    )
    assert [c.kind for c in clauses][-1] is None
    props = entity.properties
    assert props["website"] == ["www.bank-maskan.ir"]
    assert props["email"] == ["info@x.ir"]
    assert props["phone"] == ["982188526300"]
    assert props["incorporationDate"] == ["2005-11-28"]
    assert props["organizationType"] == ["Activities of holding companies"]
    assert props["targetType"] == ["Criminal Organization"]
    assert props["secondarySanctionsRisk"][0].startswith("section 1(b)")
    assert props["buildDate"] == ["1999"]
    assert props["pastFlags"] == ["mt"]
    assert props["notes"] == ["Free text nobody knows"]
    assert "Listing Date (EO 14024 Directive 2): 24 Feb 2022" in props["sanctionsInformation"]


def test_title_clause_is_recognised_from_title_column() -> None:
    entity = _entity()
    [clause] = parse_remarks(
        entity,
        "President of the Bolivarian Republic of Venezuela.",
        titles=["President of the Bolivarian Republic of Venezuela"],
    )
    assert clause.kind == "title"


def test_apply_feature_unknown_label() -> None:
    assert apply_feature(_entity(), "Favourite colour", "blue") is None


# --- coverage on the real file ---------------------------------------------------------------


def _real_remarks() -> list[tuple[str, str, list[str]]]:
    """(ent_num, remarks incl. sdn_comments continuation, titles) for every SDN row."""
    with SDN.open(newline="", encoding="ascii") as handle:
        rows = [r for r in csv.reader(handle) if len(r) == 12]
    with COMMENTS.open(newline="", encoding="ascii") as handle:
        comments = {r[0]: r[1] for r in csv.reader(handle) if len(r) == 2}
    result = []
    for row in rows:
        remarks = "" if row[11].strip() == "-0-" else row[11]
        if row[0] in comments:
            remarks += comments[row[0]]
        titles = [] if row[4].strip() == "-0-" else row[4].split("; ")
        if remarks:
            result.append((row[0], remarks, titles))
    return result


def test_remarks_coverage_on_the_real_sdn_file() -> None:
    total = 0
    unrecognised: Counter[str] = Counter()
    for ent, remarks, titles in _real_remarks():
        entity = Entity(f"us_ofac_sdn:{ent}", "Person", [])
        for clause in parse_remarks(entity, remarks, titles=titles):
            total += 1
            if clause.kind is None:
                unrecognised[" ".join(re.sub(r"\d.*", "", clause.text).split()[:3])] += 1
                assert clause.text in entity.properties["notes"]  # kept, never lost
    coverage = 1 - sum(unrecognised.values()) / total
    print(f"\nremarks coverage: {coverage:.4%} of {total} clauses; unrecognised kinds:")
    for kind, count in unrecognised.most_common():
        print(f"  {count:4d}  {kind}")
    assert total > 60_000
    assert coverage >= 0.99
