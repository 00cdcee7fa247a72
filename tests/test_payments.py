"""Payment messages: parsing (ISO 20022 pacs.008 / pain.001, SWIFT MT103), precise parse errors,
and verdicts on the real lists + register for a listed party in every role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from clearance.errors import InputError
from clearance.matching import Screener
from clearance.payments import (
    BLOCK,
    CLEAR,
    REVIEW,
    Role,
    parse_iso20022,
    parse_message,
    parse_mt103,
    screen_payment,
)
from clearance.payments.parties import iban_valid, is_bic
from conftest import REPO
from matching_lists import bundled_screener

FIXTURES = REPO / "tests" / "fixtures" / "payments"


@pytest.fixture(scope="session")
def screener() -> Screener:
    return bundled_screener()


def fixture(name: str) -> Path:
    return FIXTURES / name


# --- parsing --------------------------------------------------------------------------------


def test_pacs008_parties_roles_accounts_and_free_text() -> None:
    message = parse_iso20022(fixture("pacs008_clear.xml").read_bytes(), "m.xml")
    assert message.message_type == "pacs.008"
    assert message.reference == "NOTPROVIDED-20250314-0001"
    assert (message.amount, message.currency) == ("12500.00", "USD")
    roles = [p.role for p in message.parties]
    assert roles == [
        Role.INSTRUCTING_AGENT,
        Role.INSTRUCTED_AGENT,
        Role.DEBTOR,
        Role.DEBTOR_AGENT,
        Role.CREDITOR_AGENT,
        Role.CREDITOR,
    ]
    debtor = message.parties[2]
    assert debtor.name == "Hoffmann Maschinenbau GmbH"
    assert debtor.account == "DE89370400440532013000"
    assert debtor.address_lines == ["Industriestrasse 12", "70565 Stuttgart"]
    assert debtor.country == "de"
    assert debtor.location.line == 16
    assert debtor.location.field == "Document/FIToFICstmrCdtTrf/CdtTrfTxInf/Dbtr"
    creditor = message.parties[5]
    assert creditor.address_lines == ["400 West Main Street", "Grand Rapids MI 49503"]
    assert creditor.account == "000123456789"
    assert message.parties[3].bic == "DEUTDEFFXXX"
    assert message.parties[3].country_or_derived() == "de"  # from the BIC
    fields = {t.field: t.text for t in message.free_texts}
    assert fields == {
        "RmtInf/Ustrd": "Invoice 2025-0341 spare parts for milling machines",
        "Purp/Cd": "GDDS",
    }


def test_iso20022_is_namespace_agnostic() -> None:
    data = fixture("pacs008_clear.xml").read_bytes()
    bare = data.replace(b' xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"', b"")
    prefixed = data.replace(b"<Document xmlns=", b"<p:Document xmlns:p=")
    prefixed = prefixed.replace(b"</Document>", b"</p:Document>")
    for variant in (bare, prefixed):
        message = parse_iso20022(variant)
        assert [p.name for p in message.parties if p.role == Role.CREDITOR] == [
            "Wolverine Precision Tooling Inc."
        ]


def test_pain001_reads_every_payment_and_transaction() -> None:
    message = parse_iso20022(fixture("pain001_debtor_listed_remittance.xml").read_bytes())
    assert message.message_type == "pain.001"
    assert message.transactions == 2
    by_role: dict[Role, list[str | None]] = {}
    for party in message.parties:
        by_role.setdefault(party.role, []).append(party.name or party.bic)
    assert by_role[Role.INITIATING_PARTY] == ["Servicios Contables del Pacifico SA de CV"]
    assert by_role[Role.DEBTOR] == ["Ovidio Guzman Lopez"]
    assert by_role[Role.CREDITOR] == [
        "Pacific Coast Marine Supply LLC",
        "Harbor Freight Brokers Inc",
    ]
    assert len(message.free_texts) == 2


def test_mt103_fields_map_to_parties() -> None:
    message = parse_mt103(fixture("mt103_clear.txt").read_bytes(), "mt.txt")
    assert message.reference == "REF2025031401"
    assert (message.amount, message.currency) == ("12500.00", "USD")
    parties = {p.role: p for p in message.parties}
    assert parties[Role.INSTRUCTING_AGENT].bic == "DEUTDEFF"  # block 1, branch XXX
    assert parties[Role.INSTRUCTED_AGENT].bic == "CHASUS33"  # block 2
    debtor = parties[Role.DEBTOR]
    assert debtor.account == "DE89370400440532013000"
    assert debtor.name == "HOFFMANN MASCHINENBAU GMBH"
    assert debtor.country == "de"  # last address line names the country
    assert debtor.location.line == 6 and debtor.location.field == ":50K:"
    creditor = parties[Role.CREDITOR]
    assert creditor.name == "WOLVERINE PRECISION TOOLING INC"
    assert creditor.account == "000123456789"
    assert parties[Role.DEBTOR_AGENT].bic == "DEUTDEFFXXX"
    assert [t.field for t in message.free_texts] == [":70:"]


def test_mt103_structured_50f_59f() -> None:
    message = parse_mt103(fixture("mt103_59f_structured_listed.txt").read_bytes())
    parties = {p.role: p for p in message.parties}
    creditor = parties[Role.CREDITOR]
    assert creditor.name == "OVIDIO GUZMAN LOPEZ"  # two 1/ lines joined
    assert creditor.address_lines == ["COLONIA LAS QUINTAS", "CULIACAN"]
    assert creditor.country == "mx"
    assert creditor.account == "MX1122334455"
    assert parties[Role.DEBTOR].country == "us"
    assert parties[Role.SENDERS_CORRESPONDENT].bic == "CITIUS33XXX"
    assert parties[Role.INSTRUCTED_AGENT].bic == "BNMXMXMM"  # output block 2 (O103)


def test_mt103_block4_alone_is_accepted() -> None:
    text = fixture("mt103_clear.txt").read_text()
    block4 = text[text.index("{4:") + 3 : text.index("-}")].strip()
    message = parse_mt103(block4.encode())
    assert message.reference == "REF2025031401"
    assert {p.role for p in message.parties} >= {Role.DEBTOR, Role.CREDITOR}


def test_bic_and_iban_checks() -> None:
    assert is_bic("DEUTDEFF") and is_bic("DEUTDEFFXXX")
    assert not is_bic("DEUTDEF") and not is_bic("DEUTXXFF")  # 7 chars; XX is no country
    assert iban_valid("DE89 3704 0044 0532 0130 00")
    assert not iban_valid("DE88370400440532013000")


# --- parse errors name the place --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "field", "message"),
    [
        ("pacs008_malformed_xml.xml", 19, None, "malformed XML"),
        (
            "pacs008_bad_bic.xml",
            22,
            "Document/FIToFICstmrCdtTrf/CdtTrfTxInf/CdtrAgt/FinInstnId/BICFI",
            "invalid BIC 'CHASE-US-33'",
        ),
        (
            "pacs008_missing_debtor.xml",
            12,
            "Document/FIToFICstmrCdtTrf/CdtTrfTxInf",
            "missing required element <Dbtr>",
        ),
        ("mt103_missing_beneficiary.txt", 2, None, "missing mandatory field(s) :59a:"),
        ("mt103_bad_value_date.txt", 4, ":32A:", "invalid value date '251314'"),
        ("mt103_unclosed_block4.txt", 1, None, "block 4 is not closed"),
    ],
)
def test_malformed_fixtures_raise_located_errors(
    name: str, line: int, field: str | None, message: str
) -> None:
    path = fixture(name)
    with pytest.raises(InputError) as caught:
        parse_message(path.read_bytes(), str(path))
    error = caught.value
    assert error.location.file == str(path)
    assert error.location.line == line
    assert error.location.field == field
    assert message in error.reason


def _mt(*lines: str) -> bytes:
    return "\r\n".join(["{4:", *lines, "-}"]).encode()


BASE_MT = [
    ":20:REF1",
    ":23B:CRED",
    ":32A:250314USD100,00",
    ":50K:ACME LTD",
    ":59:OTHER LTD",
    ":71A:SHA",
]


@pytest.mark.parametrize(
    ("lines", "line", "field", "message"),
    [
        ([*BASE_MT, ":99:X"], 8, ":99:", "not part of an MT103"),
        ([*BASE_MT[:4], ":50K:AGAIN", *BASE_MT[4:]], 6, ":50K:", "more than once"),
        ([*BASE_MT[:3], ":50K:" + "A" * 36, *BASE_MT[4:]], 5, ":50K:", "at most 35"),
        ([*BASE_MT[:5], ":71A:ALL"], 7, ":71A:", "BEN, OUR or SHA"),
        ([*BASE_MT[:3], ":50F:1/ACME", "9/WRONG", *BASE_MT[4:]], 6, ":50F:", "numbered line"),
        ([*BASE_MT[:4], ":57A:NOTABIC", *BASE_MT[4:]], 6, ":57A:", "invalid BIC"),
        ([*BASE_MT[:4], ":57E:CHASUS33", *BASE_MT[4:]], 6, ":57E:", "option E"),
        (["JUNK", *BASE_MT], 2, None, "text before the first field tag"),
    ],
)
def test_mt103_format_violations(
    lines: list[str], line: int, field: str | None, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        parse_mt103(_mt(*lines), "x.fin")
    assert caught.value.location.line == line
    assert caught.value.location.field == field
    assert message in caught.value.reason


def test_iso_amount_iban_and_unknown_message_errors() -> None:
    data = fixture("pacs008_clear.xml").read_bytes()
    with pytest.raises(InputError, match="invalid IBAN"):
        parse_iso20022(data.replace(b"DE89370400440532013000", b"DE00370400440532013000"))
    with pytest.raises(InputError, match=r"invalid amount '12,500\.00'"):
        parse_iso20022(data.replace(b">12500.00<", b">12,500.00<"))
    with pytest.raises(InputError, match="Ccy"):
        parse_iso20022(data.replace(b' Ccy="USD"', b""))
    with pytest.raises(InputError, match=r"not a pacs\.008 or pain\.001"):
        parse_iso20022(b"<Document><camt.053/></Document>")
    with pytest.raises(InputError, match="empty message"):
        parse_message(b"   ")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_garbage_never_passes_silently(data: bytes) -> None:
    """Any input either parses into a message with parties or raises InputError."""
    try:
        message = parse_message(data)
    except InputError:
        return
    assert message.parties


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="ABC/:0123456789 \n", max_size=40), max_size=12))
def test_mt103_random_fields_raise_only_input_errors(lines: list[str]) -> None:
    try:
        parse_mt103(_mt(*BASE_MT, *lines))
    except InputError as error:
        assert error.location.line is not None


# --- verdicts on the real lists ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "verdict", "role", "entity_id"),
    [
        ("pacs008_clear.xml", CLEAR, None, None),
        ("mt103_clear.txt", CLEAR, None, None),
        ("pacs008_creditor_listed.xml", BLOCK, "creditor", "us_ofac_sdn:13021"),
        ("pacs008_agent_bic_listed.xml", BLOCK, "intermediary_agent", "us_ofac_sdn:13133"),
        ("pacs008_ultimate_parties_listed.xml", BLOCK, "ultimate_debtor", "us_ofac_sdn:13120"),
        (
            "pacs008_ultimate_parties_listed.xml",
            BLOCK,
            "ultimate_creditor",
            "us_designations:carteles-unidos",
        ),
        ("pacs008_creditor_non_sdn.xml", REVIEW, "creditor", "us_ofac_cons:30923"),
        ("pain001_debtor_listed_remittance.xml", BLOCK, "debtor", "us_ofac_sdn:13149"),
        ("pain001_remittance_mention.xml", REVIEW, "free_text", "us_designations:cartel-del-golfo"),
        ("mt103_50k_split_name.txt", BLOCK, "debtor", "us_ofac_sdn:13120"),
        ("mt103_59f_structured_listed.txt", BLOCK, "creditor", "us_ofac_sdn:13149"),
        ("mt103_57a_listed_bank.txt", BLOCK, "creditor_agent", "us_ofac_sdn:13133"),
        ("mt103_free_text_mentions.txt", REVIEW, "free_text", "us_ofac_sdn:11438"),
        ("mt103_free_text_mentions.txt", REVIEW, "free_text", "us_designations:tren-de-aragua"),
    ],
)
def test_verdicts(
    screener: Screener, name: str, verdict: str, role: str | None, entity_id: str | None
) -> None:
    result = screen_payment(fixture(name), screener)
    assert result.verdict == verdict, result.reasons
    if entity_id is None:
        assert result.hits == [] and result.reasons == []
        return
    found = [h for h in result.hits if h.role == role and h.entity_id == entity_id]
    assert found, [(h.role, h.entity_id) for h in result.hits]
    assert any(entity_id in reason and reason.startswith(verdict) for reason in result.reasons)


def test_block_reason_names_role_field_and_line(screener: Screener) -> None:
    result = screen_payment(fixture("mt103_57a_listed_bank.txt"), screener)
    assert result.reasons[0].startswith("block: creditor agent at ")
    assert "line 9, field ':57A:'" in result.reasons[0]
    assert "PASARGAD BANK" in result.reasons[0]
    hit = next(h for h in result.hits if h.entity_id == "us_ofac_sdn:13133")
    assert hit.match == "identifier" and hit.block_worthy


def test_free_text_mention_only_reviews_even_when_block_worthy(screener: Screener) -> None:
    result = screen_payment(fixture("mt103_free_text_mentions.txt"), screener)
    assert all(h.role == "free_text" for h in result.hits)
    assert any(h.block_worthy for h in result.hits)
    assert result.verdict == REVIEW


def test_screen_payment_accepts_bytes(screener: Screener) -> None:
    result = screen_payment(fixture("pacs008_creditor_listed.xml").read_bytes(), screener)
    assert result.verdict == BLOCK
    assert result.message.source == "<bytes>"


# --- CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, screener: Screener) -> CliRunner:
    from clearance.cli import commands_payments

    monkeypatch.setattr(commands_payments, "screener_for", lambda lists: screener)
    return CliRunner()


@pytest.mark.parametrize(
    ("names", "code"),
    [
        (["pacs008_clear.xml", "mt103_clear.txt"], 0),
        (["pacs008_clear.xml", "pain001_remittance_mention.xml"], 1),
        (["pacs008_creditor_non_sdn.xml", "mt103_57a_listed_bank.txt"], 2),
        (["mt103_57a_listed_bank.txt", "pacs008_bad_bic.xml"], 3),
    ],
)
def test_cli_exit_codes(cli: CliRunner, names: list[str], code: int) -> None:
    from clearance.cli.main import app

    result = cli.invoke(app, ["screen-payment", *(str(fixture(n)) for n in names)])
    assert result.exit_code == code, result.output


def test_cli_json_output(cli: CliRunner) -> None:
    from clearance.cli.main import app

    paths = [str(fixture("mt103_50k_split_name.txt")), str(fixture("pacs008_bad_bic.xml"))]
    result = cli.invoke(app, ["screen-payment", "--format", "json", *paths])
    assert result.exit_code == 3
    rows = json.loads(result.stdout)
    assert rows[0]["verdict"] == BLOCK
    assert rows[0]["message"]["parties"][2]["role"] == "debtor"
    assert any(h["entity_id"] == "us_ofac_sdn:13120" for h in rows[0]["hits"])
    assert rows[1]["verdict"] == "error"
    assert "line 22" in rows[1]["error"] and "BICFI" in rows[1]["error"]


def test_name_split_between_name_and_address_fields(screener: Screener) -> None:
    data = (
        fixture("pacs008_clear.xml")
        .read_bytes()
        .replace(
            b"<Nm>Wolverine Precision Tooling Inc.</Nm>\n        <PstlAdr><AdrLine>400 West Main Street</AdrLine>",
            b"<Nm>CARTEL DE JALISCO NUEVA</Nm>\n        <PstlAdr><AdrLine>GENERACION</AdrLine>",
        )
    )
    result = screen_payment(data, screener)
    assert result.verdict == BLOCK
    assert any(
        h.role == "creditor" and h.entity_id == "us_ofac_sdn:17671" and h.match == "mention"
        for h in result.hits
    )


def test_listed_initiating_party(screener: Screener) -> None:
    data = (
        fixture("pain001_remittance_mention.xml")
        .read_bytes()
        .replace(
            b"<InitgPty><Nm>Transportes Rapidos del Norte</Nm></InitgPty>",
            b"<InitgPty><Nm>Tren de Aragua</Nm></InitgPty>",
        )
    )
    result = screen_payment(data, screener)
    assert result.verdict == BLOCK
    assert any(
        h.role == "initiating_party" and h.entity_id == "us_ofac_sdn:49756" for h in result.hits
    )
