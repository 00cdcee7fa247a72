"""Document scanning on the real lists + register: the news/court/web test set, PDF and HTML
extraction, the rules that keep places and ordinary words out, reports and the CLI."""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from clearance.documents import extract, scan, scan_document
from clearance.documents.extract import extract_bytes, html_text
from clearance.documents.report import to_html, to_json
from clearance.errors import InputError
from clearance.matching import Screener
from conftest import REPO
from matching_lists import bundled_screener

FIXTURES = REPO / "tests" / "fixtures" / "documents"
TEXTS = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".txt", ".html"))


@pytest.fixture(scope="session")
def screener() -> Screener:
    return bundled_screener()


def ids_at(mentions: list, text: str) -> set[str]:
    return {m.entity_id for m in mentions if m.text == text}


# --- the test set --------------------------------------------------------------------------------


def test_the_test_set_is_large_enough() -> None:
    assert len(TEXTS) >= 10
    assert any(p.suffix == ".html" for p in TEXTS)


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_expected_entities_found_and_nothing_else(screener: Screener, path: Path) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    document, mentions = scan_document(path, screener)
    for item in expected["expected"]:
        found = ids_at(mentions, item["text"])
        assert set(item["entity_ids"]) <= found, (item["text"], found)
    allowed = {item["text"] for item in expected["expected"]}
    extra = sorted({m.text for m in mentions} - allowed)
    assert extra == [], f"unexpected mentions: {extra}"
    for name in expected["not_mentions"]:
        assert name in document.text  # the official / place / journalist is really there
        assert not any(m.text == name for m in mentions), name
    for hidden in expected.get("not_in_text", []):
        assert hidden not in document.text
    for mention in mentions:
        assert document.text[mention.start : mention.end] == mention.text
        assert mention.score >= 0.8


def test_test_set_covers_the_2025_designations(screener: Screener) -> None:
    """Every 2025 FTO in the set, by its register entry and its SDN entry, and the people."""
    found: set[str] = set()
    for path in TEXTS:
        found |= {m.entity_id for m in scan(path, screener)}
    register = {
        "tren-de-aragua",
        "mara-salvatrucha",
        "cartel-de-sinaloa",
        "cartel-de-jalisco-nueva-generacion",
        "carteles-unidos",
        "cartel-del-noreste",
        "cartel-del-golfo",
        "la-nueva-familia-michoacana",
        "cartel-de-los-soles",
        "clan-del-golfo",
    }
    assert {f"us_designations:{slug}" for slug in register} <= found
    sdn = {"49756", "15412", "11440", "17671", "52892", "11438", "10386", "39376", "55025"}
    people = {"17674", "22790", "24424", "25080", "7226", "13120", "13149", "6857", "39377"}
    assert {f"us_ofac_sdn:{n}" for n in sdn | people} <= found
    assert "us_ofac_sdn:11439" in found  # La Familia Michoacana, in the explainer only


def test_similar_names_resolve_to_different_entities(screener: Screener) -> None:
    text = (
        "La Nueva Familia Michoacana is not La Familia Michoacana, and the Clan del Golfo "
        "is not the Cartel del Golfo."
    )
    mentions = scan(text, screener)
    assert "us_ofac_sdn:11439" not in ids_at(mentions, "La Nueva Familia Michoacana")
    assert ids_at(mentions, "La Familia Michoacana") == {"us_ofac_sdn:11439"}
    assert "us_designations:clan-del-golfo" in ids_at(mentions, "Clan del Golfo")
    assert "us_designations:cartel-del-golfo" not in ids_at(mentions, "Clan del Golfo")
    assert "us_designations:cartel-del-golfo" in ids_at(mentions, "Cartel del Golfo")


# --- matching rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The crisis deepened; a Sinaloan farmer and a resident of Sinaloa spoke.",
        "She grew up in Jalisco and moved to the Gulf coast.",
        "isis and cjng written in lower case are ordinary strings here",
        "The Suns won; the soles of his shoes were worn; a new generation cartel of ideas.",
        "Maduro spoke. Cabello listened.",  # surnames alone
        "El Mencho was not seen.",  # a weak alias alone only confirms
        "He sailed his boat past a Dolphin.",  # one-word vessel name without a craft context
        "Pedro Sánchez, the minister, spoke.",  # given name + common surname
    ],
)
def test_no_mention(screener: Screener, text: str) -> None:
    assert scan(text, screener) == []


@pytest.mark.parametrize(
    ("text", "span", "entity_id"),
    [
        (
            "Officials blamed the Jalisco New Generation Cartel.",
            "Jalisco New Generation Cartel",
            "us_designations:cartel-de-jalisco-nueva-generacion",
        ),
        (
            "Officials blamed the cartel de jalisco nueva generacion.",
            "cartel de jalisco nueva generacion",
            "us_ofac_sdn:17671",
        ),
        (
            "Funds for the Cartel de Jalsico Nueva Generacion.",
            "Cartel de Jalsico Nueva Generacion",
            "us_ofac_sdn:17671",
        ),  # typo
        ("Members of Tren de Aragüa were arrested.", "Tren de Aragüa", "us_ofac_sdn:49756"),
        (
            "Members of the Tren Aragua were arrested.",
            "Tren Aragua",
            "us_designations:tren-de-aragua",
        ),  # article dropped
        ("The Cartel of the Suns denied it.", "Cartel of the Suns", "us_ofac_sdn:55025"),
        (
            "The Soles Cartel denied it.",
            "Soles Cartel",
            "us_designations:cartel-de-los-soles",
        ),  # word order
        ("A Gulf Cartel cell was dismantled.", "Gulf Cartel", "us_ofac_sdn:10386"),
        ("The CJNG and MS13 were named.", "MS13", "us_ofac_sdn:15412"),  # joined acronym
        (
            "ISIS claimed the attack.",
            "ISIS",
            "us_designations:islamic-state-of-iraq-and-the-levant",
        ),
        (
            "Documents linked Joaquín Guzmán Loera to the cartel.",
            "Joaquín Guzmán Loera",
            "us_ofac_sdn:6861",
        ),
        ("Ｔｒｅｎ de Aragua", "Ｔｒｅｎ de Aragua", "us_ofac_sdn:49756"),  # full-width letters
        (
            "Tr\u200ben de Ar\u0430gua",
            "Tr\u200ben de Ar\u0430gua",
            "us_ofac_sdn:49756",
        ),  # zero-width + Cyrillic a
        ("The tanker DOLPHIN left port.", "DOLPHIN", "us_ofac_sdn:40885"),
    ],
)
def test_mention(screener: Screener, text: str, span: str, entity_id: str) -> None:
    mentions = scan(text, screener)
    assert entity_id in ids_at(mentions, span), [(m.text, m.entity_id) for m in mentions]
    mention = next(m for m in mentions if m.entity_id == entity_id)
    assert text[mention.start : mention.end] == span
    assert mention.explanation and mention.caption


def test_weak_alias_confirms_a_strong_mention(screener: Screener) -> None:
    text = "Nemesio Oseguera Cervantes, known as El Mencho, leads the group. El Mencho is 58."
    mentions = [m for m in scan(text, screener) if m.entity_id == "us_ofac_sdn:17674"]
    assert [m.text for m in mentions] == ["Nemesio Oseguera Cervantes", "El Mencho", "El Mencho"]


def test_threshold_filters(screener: Screener) -> None:
    text = "Nicolás Maduro and the Tren de Aragua."
    assert ids_at(scan(text, screener), "Nicolás Maduro") == {"us_ofac_sdn:22790"}
    strict = scan(text, screener, threshold=0.99)
    assert ids_at(strict, "Nicolás Maduro") == set()
    assert "us_ofac_sdn:49756" in ids_at(strict, "Tren de Aragua")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Tren de Aragua",
                "crisis",
                "Sinaloa",
                "Cartel",
                "del",
                "Golfo",
                "ISIS",
                "é",
                "—",
                "\n",
                "MS-13",
                "CJNG",
                "the",
                "of",
                "Suns",
                "Jalisco",
                "Nueva",
                "Generación",
                "x",
            ]
        ),
        max_size=30,
    )
)
def test_offsets_always_slice_the_text(words: list[str]) -> None:
    screener = bundled_screener()
    text = " ".join(words)
    for mention in scan(text, screener):
        assert text[mention.start : mention.end] == mention.text
        assert mention.text.strip() == mention.text
        assert re.match(r"\w", mention.text) and re.search(r"\w$", mention.text)


# --- extraction ----------------------------------------------------------------------------------


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with Helvetica text lines, written by hand (no PDF library needed)."""
    content = (
        "BT /F1 11 Tf 72 760 Td 14 TL "
        + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*"
            for line in lines
        )
        + " ET"
    )
    stream = zlib.compress(content.encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_pdf_filing(screener: Screener, tmp_path: Path) -> None:
    path = tmp_path / "filing.pdf"
    path.write_bytes(
        minimal_pdf(
            [
                "UNITED STATES DISTRICT COURT, WESTERN DISTRICT OF TEXAS",
                "The defendant transferred funds to the Cartel del Noreste, formerly Los Zetas,",
                "at the direction of Miguel Trevino Morales. Judge Alia Moses presiding.",
                "The defendant lived in Nuevo Laredo, Tamaulipas.",
            ]
        )
    )
    document, mentions = scan_document(path, screener)
    assert document.kind == "pdf"
    assert "Cartel del Noreste" in document.text
    by_text = {m.text: set() for m in mentions}
    for m in mentions:
        by_text[m.text].add(m.entity_id)
        assert document.text[m.start : m.end] == m.text
    assert set(by_text) == {"Cartel del Noreste", "Los Zetas", "Miguel Trevino Morales"}
    assert "us_ofac_sdn:11438" in by_text["Los Zetas"]
    assert by_text["Miguel Trevino Morales"] == {"us_ofac_sdn:11528"}


def test_html_extraction_drops_markup_keeps_visible_text() -> None:
    text, title = html_text(
        b"<html><head><title>T&amp;D</title><style>p{}</style></head><body>"
        b"<p>One <b>two</b><script>var x='Gulf Cartel';</script> three</p>"
        b"<!-- hidden --><div>four&nbsp;five</div><pre>a\n  b</pre></body></html>"
    )
    assert title == "T&D"
    assert text == "One two three\n\nfour five\n\na\nb"
    assert "Gulf" not in text


def test_extraction_errors_and_kinds(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read PDF"):
        extract_bytes(b"%PDF-1.4\nnot really a pdf", "bad.pdf")
    with pytest.raises(InputError, match="cannot read file"):
        extract(tmp_path / "missing.txt")
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Cártel del Golfo".encode("cp1252"))
    assert extract(legacy).text == "Cártel del Golfo"
    assert extract_bytes(b"<!DOCTYPE html><p>x</p>").kind == "html"


# --- reports and CLI -----------------------------------------------------------------------------


def test_json_and_html_reports(screener: Screener) -> None:
    path = FIXTURES / "05_cartel_de_los_soles.txt"
    document, mentions = scan_document(path, screener)
    rows = json.loads(to_json(mentions))
    assert {"entity_id", "caption", "score", "start", "end", "text"} <= set(rows[0])
    page = to_html(document, mentions)
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "http" not in page
    marks = re.findall(r'<mark class="mention[^"]*"[^>]*title="([^"]*)"[^>]*>([^<]*)<', page)
    assert len(marks) == len({(m.start, m.end) for m in mentions})
    soles = next(title for title, shown in marks if shown == "Cartel of the Suns")
    assert "FTO" in soles and "SDGT" in soles
    assert "Providing material support to an FTO is a crime" in soles
    maduro = next(title for title, shown in marks if shown == "Nicolás Maduro")
    assert "VENEZUELA" in maduro and "Block all property" in maduro


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, screener: Screener) -> CliRunner:
    from clearance.cli import commands_documents

    monkeypatch.setattr(commands_documents, "screener_for", lambda lists: screener)
    return CliRunner()


def test_cli_scan_formats(cli: CliRunner, tmp_path: Path) -> None:
    from clearance.cli.main import app

    path = FIXTURES / "12_web_page.html"
    result = cli.invoke(app, ["scan", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["text"] for r in rows} == {
        "Sinaloa Cartel",
        "Cártel de Sinaloa",
        "Ovidio Guzmán López",
        "Tren de Aragua",
    }
    out = tmp_path / "report.html"
    result = cli.invoke(app, ["scan", str(path), "--format", "html", "--out", str(out)])
    assert result.exit_code == 0
    assert "Treasury sanctions Sinaloa Cartel money launderers" in out.read_text(encoding="utf-8")
    result = cli.invoke(app, ["scan", str(path)])
    assert result.exit_code == 0 and "7 mention(s)" in result.stdout
    assert cli.invoke(app, ["scan", str(tmp_path / "nope.txt")]).exit_code == 2
    assert cli.invoke(app, ["scan", str(path), "--format", "xml"]).exit_code == 2


# --- persisted mention index -------------------------------------------------------------------


def test_mention_index_is_persisted_beside_the_screener_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clearance.documents import mention_index
    from clearance.documents.mentions import PERSISTED_NAME, MentionIndex
    from clearance.model import Entity, Name, NameKind

    monkeypatch.setenv("CLEARANCE_HOME", str(tmp_path))
    entities = [
        Entity("us_ofac_sdn:1", "Organization", [Name("Tren de Aragua")], programs=["SDGT"]),
        Entity(
            "us_ofac_sdn:2",
            "Person",
            [Name("GUZMAN LOERA, Joaquin"), Name("El Chapo", NameKind.WEAK_ALIAS)],
        ),
    ]
    folder = Screener.from_entities(entities, version_key="persist-test").persist()
    text = "Tren de Aragua and Joaquin Guzman, known as El Chapo, were named."
    built = scan(text, Screener.load(folder))
    assert (folder / PERSISTED_NAME).is_file()

    def no_rebuild(screener: Screener) -> MentionIndex:
        raise AssertionError("the persisted index should have been loaded")

    monkeypatch.setattr(MentionIndex, "from_screener", no_rebuild)
    reopened = Screener.load(folder)
    assert scan(text, reopened) == built
    assert {m.entity_id for m in built} == {"us_ofac_sdn:1", "us_ofac_sdn:2"}
    assert mention_index(reopened).sequences  # cached per screener from now on

    (folder / PERSISTED_NAME).write_bytes(b"not an index")
    monkeypatch.undo()
    monkeypatch.setenv("CLEARANCE_HOME", str(tmp_path))
    assert scan(text, Screener.load(folder)) == built  # unreadable file: rebuilt


def test_lower_case_words_do_not_stand_for_a_company_named_without_its_legal_form() -> None:
    from clearance.model import Entity, Name

    listed = Screener.from_entities(
        [
            Entity(
                "us_ofac_sdn:47406", "Company", [Name("LIMITED LIABILITY COMPANY MILLING MACHINES")]
            )
        ]
    )
    assert scan("Invoice 42: spare parts for milling machines, net 30 days.", listed) == []
    found = scan("Payment to Milling Machines LLC for spare parts.", listed)
    assert [m.entity_id for m in found] == ["us_ofac_sdn:47406"]
