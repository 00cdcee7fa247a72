"""read_paths over the bundled lists: grouping, ordering, counts, FtM round trip."""

from __future__ import annotations

import json
import re
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest

from clearance.errors import InputError
from clearance.export import write_ftm
from clearance.model import IdKind, ftm_id
from clearance.sources import SourceBatch, detect_format, read_paths
from clearance.sources.ftm_json import read_ftm
from conftest import LISTS


def _records(path: Path) -> int:
    return sum(1 for line in path.read_bytes().splitlines() if line[:1].isdigit())


@pytest.fixture(scope="module")
def batches() -> list[SourceBatch]:
    start = time.perf_counter()
    result = read_paths([LISTS])
    print(f"\nread_paths({LISTS}) took {time.perf_counter() - start:.2f} s (shared 2-core machine)")
    return result


def test_grouping_and_order(batches: list[SourceBatch]) -> None:
    summary = [(b.dataset, b.format, b.published) for b in batches]
    assert summary == [
        ("us_ofac_sdn", "ofac_csv", "2024-04-04"),
        ("us_ofac_sdn", "ofac_csv", "2024-05-01"),
        ("us_ofac_sdn", "ofac_csv", "2024-05-03"),
        ("us_ofac_cons", "ofac_xml", "2025-06-30"),
        ("us_ofac_cons", "ofac_csv", "2025-12"),
        ("un_sc_sanctions", "un_xml", "2026-02-27"),
    ]
    newest = batches[2]
    assert sorted(f.name for f in newest.files) == [
        "add.csv",
        "alt.csv",
        "sdn.csv",
        "sdn.csv",
        "sdn_comments.csv",
    ]
    assert "excerpt_2026/sdn.csv" in newest.label
    assert [w.kind for w in newest.warnings].count("partial_merged") == 1
    assert all(not any(f.name == "MANIFEST.md" for f in b.files) for b in batches)


def test_counts_equal_source_records(batches: list[SourceBatch]) -> None:
    sdn = LISTS / "ofac_sdn"
    excerpt = {
        line.split(b",")[0]
        for line in (sdn / "excerpt_2026/sdn.csv").read_bytes().splitlines()
        if line
    }
    newest = {
        line.split(b",")[0]
        for line in (sdn / "sdn_2024-05-03/sdn.csv").read_bytes().splitlines()
        if line[:1].isdigit()
    }
    counts = [len(b.entities) for b in batches]
    assert counts == [
        _records(sdn / "sdn_2024-04-04/sdn.csv"),
        _records(sdn / "sdn_2024-05-01/sdn.csv"),
        len(newest | excerpt),
        len(
            re.findall(
                r"<sdnEntry>", (LISTS / "ofac_cons/xml_2025-06-30/consolidated.xml").read_text()
            )
        ),
        _records(LISTS / "ofac_cons/csv_2025-12/cons_prim.csv"),
        len(re.findall(r"<(?:INDIVIDUAL|ENTITY)>", (LISTS / "un/UN_consolidated.xml").read_text())),
    ]
    assert counts == [14574, 14966, 14968, 443, 442, 1003]
    for batch in batches:
        ids = [e.id for e in batch.entities]
        assert len(ids) == len(set(ids))
        assert all(i.startswith(f"{batch.dataset}:") for i in ids)


def test_content_hash_is_stable_and_location_free(
    tmp_path: Path, batches: list[SourceBatch]
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(LISTS / "un", copy)
    [again] = read_paths([copy])
    assert again.content_hash == batches[-1].content_hash
    assert len({b.content_hash for b in batches}) == len(batches)


def test_supplements_join_newest_full_file_when_alone(tmp_path: Path) -> None:
    [batch] = read_paths(
        [LISTS / "ofac_sdn/sdn_2024-05-01/sdn.csv", LISTS / "ofac_sdn/addalt_2026/alt.csv"]
    )
    assert [f.name for f in batch.files] == ["sdn.csv", "alt.csv"]
    assert any(w.kind == "orphan_alt" for w in batch.warnings)


def test_lone_partial_or_supplement_is_an_error() -> None:
    with pytest.raises(InputError, match="partial file"):
        read_paths([LISTS / "ofac_sdn/excerpt_2026/sdn.csv"])
    with pytest.raises(InputError, match="without a full"):
        read_paths([LISTS / "ofac_sdn/addalt_2026/add.csv"])


def test_non_list_files(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# notes")
    shutil.copy(LISTS / "ofac_cons/csv_2025-12/cons_prim.csv", tmp_path / "cons_prim.csv")
    [batch] = read_paths([tmp_path])  # README.md skipped quietly inside a folder
    assert batch.dataset == "us_ofac_cons"
    with pytest.raises(InputError, match="not a list file"):
        read_paths([tmp_path / "README.md"])
    with pytest.raises(InputError, match="no such file"):
        read_paths([tmp_path / "missing.csv"])


def test_detect_format(tmp_path: Path) -> None:
    assert detect_format(LISTS / "un/UN_consolidated.xml") == "un_xml"
    assert detect_format(LISTS / "ofac_cons/xml_2025-06-30/consolidated.xml") == "ofac_xml"
    assert detect_format(LISTS / "ofac_sdn/excerpt_2026/sdn.csv") == "ofac_csv"
    assert detect_format(LISTS / "MANIFEST.md") is None
    rss = tmp_path / "feed.xml"
    rss.write_text("<?xml version='1.0'?><!-- c --><rss/>")
    with pytest.raises(InputError, match="unknown XML root <rss>"):
        detect_format(rss)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        read_paths([empty])


@pytest.mark.slow
def test_ftm_round_trip_on_all_lists(tmp_path: Path, batches: list[SourceBatch]) -> None:
    for index, batch in enumerate(batches):
        path = tmp_path / f"{index}.ftm.jsonl"
        assert write_ftm(batch.entities, path) == len(batch.entities)
        [again] = read_paths([path])
        assert again.dataset == batch.dataset and again.format == "ftm_json"
        assert len(again.entities) == len(batch.entities)
        for before, after in zip(batch.entities, again.entities, strict=True):
            assert replace(before, source={}) == replace(after, source={})  # all but `source`


def test_ftm_export_is_standard_ftm(tmp_path: Path, batches: list[SourceBatch]) -> None:
    newest = batches[2]
    holder = next(e for e in newest.entities if any(i.kind is IdKind.CRYPTO for i in e.identifiers))
    oseguera = next(e for e in newest.entities if e.id == "us_ofac_sdn:17674")
    path = tmp_path / "x.jsonl"
    write_ftm([oseguera, holder], path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    props = lines[0]["properties"]
    assert props["name"] == ["OSEGUERA CERVANTES, Ruben"]
    assert props["firstName"] == ["Ruben"] and props["lastName"] == ["OSEGUERA CERVANTES"]
    assert "El Mencho" in props["weakAlias"] and props["nationality"] == ["mx"]
    assert props["birthDate"][0] == "1966-07-17" and "SDGT" in props["program"]
    wallets = [line for line in lines if line["schema"] == "CryptoWallet"]
    assert wallets and all(w["properties"]["holder"] == [ftm_id(holder.id)] for w in wallets)


def test_foreign_ftm_without_extension(tmp_path: Path) -> None:
    lines = [
        {
            "id": "Q1",
            "schema": "Person",
            "datasets": ["os_demo"],
            "properties": {
                "name": ["John Doe"],
                "alias": ["Johnny"],
                "firstName": ["John"],
                "lastName": ["Doe"],
                "birthDate": ["1970-01-02"],
                "passportNumber": ["P1"],
                "nationality": ["us"],
                "topics": ["sanction"],
                "address": ["1 Main St"],
            },
        },
        {
            "id": "w1",
            "schema": "CryptoWallet",
            "properties": {"publicKey": ["bc1x"], "currency": ["XBT"], "holder": ["Q1"]},
        },
        {"id": "s1", "schema": "Sanction", "properties": {"entity": ["Q1"]}},
    ]
    path = tmp_path / "os.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = read_ftm(path)
    [person] = result.entities
    assert person.id == "os_demo:Q1" and person.caption == "John Doe"
    assert (person.names[0].first, person.names[0].last) == ("John", "Doe")
    assert {(i.kind, i.number) for i in person.identifiers} == {
        (IdKind.PASSPORT, "P1"),
        (IdKind.CRYPTO, "bc1x"),
    }
    assert person.addresses[0].full == "1 Main St" and person.nationalities == ["us"]
    assert person.referents == ["Q1"] and len(person.sanctions) == 1  # the Sanction line
    assert result.warnings == []


def test_ftm_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "schema": "Person", "properties": {}}\n{not json\n')
    with pytest.raises(InputError, match="invalid JSON") as info:
        read_ftm(path)
    assert info.value.location.line == 2
    path.write_text('{"schema": "Person"}\n')
    with pytest.raises(InputError, match="needs 'id'"):
        read_ftm(path, dataset="x")
    path.write_text("\n")
    with pytest.raises(InputError, match="empty"):
        read_ftm(path)
    path.write_text('{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n')
    assert read_ftm(path, dataset="mine").entities[0].id == "mine:a"
    [batch] = read_paths([path], dataset="mine")
    assert batch.dataset == "mine" and batch.entities[0].id == "mine:a"


def test_a_file_named_by_a_bare_relative_path_gets_a_label_without_a_leading_slash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    line = {"id": "Q1", "schema": "Person", "properties": {"name": ["John Doe"]}}
    (folder / "os.jsonl").write_text(json.dumps(line) + "\n")
    monkeypatch.chdir(folder)
    [batch] = read_paths([Path("os.jsonl")])
    assert batch.label == "exports/os.jsonl"
