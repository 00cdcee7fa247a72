"""The built-in designation register: every facts row kept, facts parsed out of the notes."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearance import register
from clearance.errors import InputError
from clearance.model import NameKind
from clearance.register import build
from conftest import DESIGNATIONS, LISTS

FACT_FILES = sorted(DESIGNATIONS.glob("*.csv"))
HEADER = ",".join(build.COLUMNS)
GOOD_ROW = (
    "Cartel X,CX;Equis,both,INA section 219; E.O. 13224,2025-02-20,FR Doc 1,https://example.org,"
)


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(register.DATA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def records(document: dict) -> list[dict]:
    return [record for entry in document["entries"] for record in entry["designations"]]


@pytest.fixture(scope="module")
def entities() -> dict:
    return {entity.id: entity for entity in register.load()}


def _entry(document: dict, entry_id: str) -> dict:
    return next(e for e in document["entries"] if e["id"] == f"us_designations:{entry_id}")


# --- every row of the facts files ------------------------------------------------------------


def test_register_holds_every_row_of_the_facts_files(records: list[dict]) -> None:
    assert len(FACT_FILES) == 2
    for path in FACT_FILES:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        kept = sorted(
            (r for r in records if r["source_file"] == path.name), key=lambda r: r["line"]
        )
        assert len(kept) == len(frame) > 0
        # Rows hold no embedded newlines, so data row i sits on file line i + 2.
        assert [r["line"] for r in kept] == list(range(2, len(frame) + 2))
        assert [r["name"] for r in kept] == [n.strip() for n in frame["name_as_designated"]]
        assert [r["designation"] for r in kept] == list(frame["designation"])
        assert [r["date_designated"] or "" for r in kept] == list(frame["date_designated"])


def test_source_files_are_recorded_with_hash_and_row_count(document: dict) -> None:
    by_file = {s["file"]: s for s in document["sources"]}
    for path in FACT_FILES:
        assert by_file[path.name]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert by_file[path.name]["rows"] == len(pd.read_csv(path, dtype=str))


def test_builder_is_deterministic_and_matches_the_committed_file(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert build.main(["--designations", str(DESIGNATIONS), "--out", str(first)]) == 0
    build.write(DESIGNATIONS, second)
    assert first.read_bytes() == second.read_bytes() == register.DATA_FILE.read_bytes()


def test_groups_in_both_files_are_merged_into_one_entry(document: dict, entities: dict) -> None:
    ids = [e["id"] for e in document["entries"]]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"us_designations:[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)
    tda = _entry(document, "tren-de-aragua")
    assert {(r["source_file"], r["designation"]) for r in tda["designations"]} == {
        ("us_fto_list.csv", "FTO"),
        ("us_fto_sdgt_2025.csv", "both"),
    }
    soles = entities["us_designations:cartel-de-los-soles"]
    assert len(soles.source["records"]) == 3  # SDGT 2025-07-25, FTO 2025-11-24 (twice listed)
    assert soles.programs == ["FTO", "SDGT"]
    assert soles.listed_on == "2025-07-25"
    # Sinaloa's Spanish accented spelling survives as an alias next to the plain primary name.
    sinaloa = entities["us_designations:cartel-de-sinaloa"]
    assert "Cártel de Sinaloa" in [n.full for n in sinaloa.names]
    assert len({n.full.casefold() for n in sinaloa.names}) == len(sinaloa.names)


# --- revoked, unverified, also-designated ----------------------------------------------------


def test_revoked_entries_are_kept_and_marked(entities: dict) -> None:
    aum = entities["us_designations:aum-shinrikyo"]
    assert aum.properties["revokedDesignation"] == ["FTO revoked 2022-05-20"]
    assert aum.programs == ["SDGT"]  # "REVOKED as FTO 2022-05-20 (remains SDGT)"
    nusrah = entities["us_designations:al-nusrah-front"]
    assert nusrah.properties["revokedDesignation"] == ["FTO revoked 2025-07-08"]
    assert "Hay'at Tahrir al-Sham" in [n.full for n in nusrah.names]
    farc = entities["us_designations:revolutionary-armed-forces-of-colombia"]
    assert farc.programs == [] and farc.topics == []
    assert farc.properties["revokedDesignation"] == ["FTO revoked date unknown"]
    assert "FTO" not in entities["us_designations:kahane-chai"].programs
    revoked = [e for e in entities.values() if "revokedDesignation" in e.properties]
    assert len(revoked) == 7  # Aum, ETA, IG, Kach, MSC, al-Nusrah, FARC


def test_unverified_flag_is_visible(entities: dict) -> None:
    def verified(entry_id: str) -> str:
        return entities[f"us_designations:{entry_id}"].properties["verified"][0]

    assert verified("tren-de-aragua") == "true"
    assert verified("cartel-de-los-soles") == "true"
    for entry_id in ("ansarallah", "barrio-18", "islamic-jihad-union", "los-mayos", "jundallah"):
        assert verified(entry_id) == "false"
    mayos = entities["us_designations:los-mayos"].properties["unverifiedReason"]
    assert any("E.O. 14059 (UNVERIFIED)" in reason for reason in mayos)
    assert any("us_fto_sdgt_2025.csv line" in reason for reason in mayos)
    isis = entities["us_designations:islamic-state-of-iraq-and-the-levant"]
    assert isis.properties["verified"] == ["false"]  # name completion is an inference


def test_notes_stating_other_designations_count(entities: dict) -> None:
    houthis = entities["us_designations:ansarallah"]
    assert houthis.programs == ["FTO", "SDGT"]  # "Already SDGT (Biden-era)"
    assert any("stated in the notes" in d for d in houthis.properties["designation"])


# --- SDN links ------------------------------------------------------------------------------

EXPECTED_SDN_LINKS = {
    "tren-de-aragua": "49756",
    "mara-salvatrucha": "15412",
    "cartel-de-sinaloa": "11440",
    "cartel-de-jalisco-nueva-generacion": "17671",
    "carteles-unidos": "52892",
    "cartel-del-noreste": "11438",
    "cartel-del-golfo": "10386",
    "la-nueva-familia-michoacana": "39376",
    "gran-grif": "53981",
    "cartel-de-los-soles": "55025",
    "los-choneros": "47286",
    "clan-del-golfo": "15871",
    "comando-vermelho": "57817",
    "primeiro-comando-da-capital": "31632",
}


def _sdn_ents_in_real_files() -> set[str]:
    ents: set[str] = set()
    for name in (
        "sdn_2024-05-03/sdn.csv",
        "excerpt_2026/sdn.csv",
        "addalt_2026/alt.csv",
        "addalt_2026/add.csv",
    ):
        text = (LISTS / "ofac_sdn" / name).read_bytes().decode("latin-1").replace("\x1a", "")
        ents.update(row[0] for row in csv.reader(text.splitlines()) if row)
    return ents


def test_sdn_links_parsed_from_the_notes(entities: dict) -> None:
    linked = {e.id: e.links for e in entities.values() if e.links}
    assert set(linked) == {f"us_designations:{k}" for k in EXPECTED_SDN_LINKS}
    real_ents = _sdn_ents_in_real_files()
    for entry_id, ent in EXPECTED_SDN_LINKS.items():
        (link,) = linked[f"us_designations:{entry_id}"]
        assert (link.relation, link.target_id) == ("same_as", f"us_ofac_sdn:{ent}")
        assert ent in real_ents
    # Other parties named in the notes are not linked: the CJNG leader, the distinct older LFM.
    assert linked["us_designations:tren-de-aragua"][0].target_name == "TREN DE ARAGUA"
    assert linked["us_designations:mara-salvatrucha"][0].target_name == "MS-13"
    assert linked["us_designations:cartel-del-noreste"][0].target_name == "CARTEL DEL NORESTE"


def test_sdn_entry_keeps_noted_program_tags(document: dict) -> None:
    (record,) = [r for r in _entry(document, "tren-de-aragua")["designations"] if r["sdn_entry"]]
    assert record["sdn_entry"]["programs_noted"] == ["FTO", "SDGT", "TCO"]


def test_register_links_for_points_back_from_sdn_entries() -> None:
    assert register.register_links_for("us_ofac_sdn:55025") == [
        "us_designations:cartel-de-los-soles"
    ]
    assert register.register_links_for("us_ofac_sdn:17674") == []  # CJNG's leader, not CJNG
    assert register.register_links_for("us_ofac_sdn:11439") == []  # La Familia Michoacana


# --- entities and batch ----------------------------------------------------------------------


def test_entities_follow_the_model(entities: dict) -> None:
    tda = entities["us_designations:tren-de-aragua"]
    assert tda.schema == "Organization" and tda.dataset == "us_designations"
    assert tda.caption == "Tren de Aragua"
    assert tda.topics == ["crime.terror", "sanction"]
    assert "E.O. 13224 as amended" in tda.legal_basis
    assert {n.full for n in tda.names_of(NameKind.ALIAS)} >= {"TdA", "ARAGUA TRAIN"}
    assert any(u.startswith("https://usregs.ai/") for u in tda.properties["sourceUrl"])
    assert any("excerpt_2026" in ref for ref in tda.properties["sourceReference"])
    assert "FR Doc 2025-02873" in tda.properties["citation"]
    mayos = entities["us_designations:los-mayos"]
    assert mayos.listed_on == "2025-09-18" and mayos.programs == ["SDGT"]
    militia = entities["us_designations:harakat-al-nujaba"]
    assert militia.listed_on is None and militia.programs == ["FTO"]


def test_aliases_the_notes_call_weak_are_weak(entities: dict) -> None:
    sinaloa = entities["us_designations:cartel-de-sinaloa"]
    assert {n.full for n in sinaloa.names_of(NameKind.WEAK_ALIAS)} == {"Alliance", "Federation"}
    pcc = entities["us_designations:primeiro-comando-da-capital"]
    assert [n.full for n in pcc.names_of(NameKind.WEAK_ALIAS)] == ["PCC"]
    cjng = entities["us_designations:cartel-de-jalisco-nueva-generacion"]
    assert "CJNG" in [n.full for n in cjng.names_of(NameKind.ALIAS)]  # short acronyms stay strong


def test_load_batch_is_the_store_version_of_the_register() -> None:
    batch = register.load_batch()
    assert batch.dataset == "us_designations" and batch.format == "register"
    assert batch.content_hash == hashlib.sha256(register.DATA_FILE.read_bytes()).hexdigest()
    assert batch.label == "built-in register 2026-06-05"
    assert len(batch.entities) == 99 and batch.warnings == []


# --- lookup ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Cartel of the Suns", "cartel-de-los-soles"),
        ("cartel de los soles", "cartel-de-los-soles"),
        ("CÁRTEL DE SINALOA", "cartel-de-sinaloa"),
        ("Jalisco New Generation Cartel", "cartel-de-jalisco-nueva-generacion"),
        ("ms-13", "mara-salvatrucha"),
        ("MS 13", "mara-salvatrucha"),
        ("al-Qaida", "al-qaida"),
        ("Gulf Cartel", "cartel-del-golfo"),
        ("Los Urabenos", "clan-del-golfo"),
    ],
)
def test_lookup_exact_names_and_aliases(query: str, expected: str) -> None:
    assert [e.id for e in register.lookup(query)] == [f"us_designations:{expected}"]


@pytest.mark.parametrize(
    "query", ["La Familia Michoacana", "crisis", "Federation", "PCC", "Cartel", "", "Sinaloa"]
)
def test_lookup_does_not_raise_hits_on_other_names_or_weak_aliases(query: str) -> None:
    assert register.lookup(query) == []


@given(st.text(max_size=40))
def test_slug_is_url_safe_and_fold_is_idempotent(text: str) -> None:
    assert re.fullmatch(r"([a-z0-9]+(-[a-z0-9]+)*)?", register.slug(text))
    assert register.fold(register.fold(text)) == register.fold(text)
    assert register.fold(text.upper()) == register.fold(text.lower())


# --- bad input -------------------------------------------------------------------------------


def _facts(tmp_path: Path, text: str | bytes) -> Path:
    directory = tmp_path / "facts"
    directory.mkdir(exist_ok=True)
    path = directory / "facts.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        (f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW.replace('both', 'TCO')}\n", 3, "designation"),
        (f"{HEADER}\n{GOOD_ROW.replace('2025-02-20', '20 Feb 2025')}\n", 2, "date_designated"),
        (f"{HEADER}\n{GOOD_ROW.replace('2025-02-20', '2025-02-30')}\n", 2, "date_designated"),
        (f"{HEADER}\n{GOOD_ROW.replace('Cartel X', ' ')}\n", 2, "name_as_designated"),
        (f"{HEADER.replace(',notes', '')}\n{GOOD_ROW}\n", 1, "notes"),
        (f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW},extra\n", 3, None),
        (f'{HEADER}\n{GOOD_ROW}\n{GOOD_ROW}"unterminated\n', 3, None),
        ("", 1, None),
        (f"{HEADER}\n", 2, None),
    ],
)
def test_bad_facts_name_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str | None
) -> None:
    with pytest.raises(InputError) as error:
        build.build(_facts(tmp_path, text))
    assert error.value.location.file == "facts.csv"
    assert error.value.location.line == line
    assert error.value.location.field == field


def test_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    data = f"{HEADER}\n{GOOD_ROW}\n".encode() + "Cártel,,FTO,INA,,,,\n".encode("latin-1")
    with pytest.raises(InputError, match="not UTF-8") as error:
        build.build(_facts(tmp_path, data))
    assert error.value.location.line == 3


def test_failed_build_leaves_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text("previous")
    bad = _facts(tmp_path, f"{HEADER}\n{GOOD_ROW.replace('both', 'x')}\n")
    assert build.main(["--designations", str(bad), "--out", str(out)]) == 2
    assert out.read_text() == "previous"


def test_small_facts_file_builds(tmp_path: Path) -> None:
    note = "SDN ent 123 'CARTEL X' [SDNTK][FTO]; 'Equis' is a weak alias. FTO REVOKED 2026-01-02"
    row = GOOD_ROW + f'"{note}"'
    document = build.build(_facts(tmp_path, f"{HEADER}\n{row}\n"))
    (entry,) = document["entries"]
    assert entry["id"] == "us_designations:cartel-x"
    assert entry["sdn_links"] == ["us_ofac_sdn:123"]
    assert entry["aliases"] == [{"name": "CX", "weak": False}, {"name": "Equis", "weak": True}]
    assert entry["programs"] == ["SDGT"]
    assert entry["revoked"] == [{"date": "2026-01-02", "program": "FTO"}]


@given(notes=st.text(max_size=200), aliases=st.lists(st.text(max_size=12), max_size=4))
def test_free_text_notes_never_break_the_record_parser(notes: str, aliases: list[str]) -> None:
    row = dict(zip(build.COLUMNS, GOOD_ROW.split(","), strict=True))
    row["notes"] = notes
    row["aliases"] = ";".join(a.replace(";", "") for a in aliases)
    record = build.parse_record(row, "facts.csv", 2)
    assert record["verified"] == (not record["unverified_reasons"])
    assert set(record["weak_aliases"]) <= set(record["aliases"])
    assert record["revoked"] is None or set(record["revoked"]["programs"]) <= {"FTO", "SDGT"}
    assert record["sdn_entry"] is None or record["sdn_entry"]["id"].startswith("us_ofac_sdn:")
