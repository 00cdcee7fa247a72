"""Ownership screening on real list entries as owners and on the BODS 0.4 worked examples."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from clearance.matching import Screener
from clearance.model import Entity
from clearance.monitoring import Monitor
from clearance.monitoring.records import RecordInput
from clearance.monitoring.tables import Alert
from clearance.ownership import OwnershipStore, OwnershipWatch, Settings, analyse, import_ownership
from clearance.ownership.engine import Graph, evaluate
from clearance.ownership.explain import as_svg, as_text, find_node, neighbourhood
from clearance.ownership.io import read_ownership
from clearance.ownership.problems import OwnershipInputError
from clearance.ownership.values import parse_share
from clearance.sources import read_paths
from clearance.sources.batch import SourceBatch
from clearance.store import Store
from conftest import LISTS, REPO, SHARED

SDN = LISTS / "ofac_sdn" / "sdn_2024-05-03"
BODS = SHARED / "data" / "ownership" / "bods-0.4" / "examples"
ACME = REPO / "tests" / "fixtures" / "ownership" / "acme.csv"
GUZMAN, CARO = "us_ofac_sdn:6861", "us_ofac_sdn:6707"


@cache
def sdn_entities() -> tuple[Entity, ...]:
    """Real SDN entries: the two owners of the tests and 400 others around them."""
    batch = read_paths([SDN])[0]
    keep = [e for e in batch.entities if e.id in (GUZMAN, CARO)]
    return (*keep, *[e for e in batch.entities[:400] if e.id not in (GUZMAN, CARO)])


def _sdn_batch(entities: list[Entity], tag: str) -> SourceBatch:
    return SourceBatch("us_ofac_sdn", entities, [SDN / "sdn.csv"], tag * 64, f"sdn {tag}", "ofac_csv")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    opened.import_batch(_sdn_batch(list(sdn_entities()), "a"))
    return opened


def _derived(store: Store) -> dict[str, Entity]:
    datasets = ["ownership_blocked", "ownership_review", "ownership_eu_uk"]
    return {e.id.split(":", 1)[1]: e for e in store.entities(datasets=datasets)}


def _status(store: Store, key: str) -> str | None:
    entity = _derived(store).get(key)
    return entity.properties["ownershipStatus"][0] if entity else None


# --- the rule on the CSV ------------------------------------------------------------------


def test_csv_rule_chain_significant_range_ended_and_cycle(store: Store) -> None:
    report = import_ownership(store, [ACME], "acme")
    summary = report["evaluation"]
    # two listed owners at 30% and 25% block Acme Holdings (GUZMAN by id, CARO by name match)
    assert _status(store, "acme/acme-holdings") == "blocked"
    holdings = _derived(store)["acme/acme-holdings"].source["ownership"]
    assert holdings["share"]["text"] == "55%"
    assert holdings["chains"] == [
        "GUZMAN LOERA, Joaquin [us_ofac_sdn:6861] 30% → Acme Holdings",
        "CARO QUINTERO, Rafael [us_ofac_sdn:6707] 25% → Acme Holdings",
    ]
    assert holdings["list_versions"]["us_ofac_sdn"] == "sdn a"
    # 60% owned by that company: blocked through the chain
    transport = _derived(store)["acme/acme-transport"].source["ownership"]
    assert transport["status"] == "blocked"
    assert "CARO QUINTERO, Rafael [us_ofac_sdn:6707] 25% → Acme Holdings 60% → Acme Transport SA" in transport["chains"]
    # 40% by one listed owner: significant, not blocked; 40-60%: possibly blocked
    assert _status(store, "acme/cambios-norte") == "significant"
    assert _status(store, "acme/inmo-pacifico") == "possibly_blocked"
    # an ended interest (50-70%, ended 2020) does not count
    assert "acme/minera-sierra" not in _derived(store)
    assert {"interest": "line-8", "dataset": "acme", "why": "ended"} in summary["skipped_interests"]
    # the cross-holding terminates and is reported; 30% held by a blocked company is significant
    assert summary["cycles"] == [["acme/acme-transport", "acme/circular"]]
    assert _status(store, "acme/circular") == "significant"
    # Ana Wrzesniewska (45%, not listed) is neither a blocked owner nor flagged
    assert not any("wrzesniewska" in key for key in _derived(store))


def test_screening_returns_the_owned_entity_with_basis_chain_and_consequence(store: Store) -> None:
    import_ownership(store, [ACME], "acme")
    hits = Screener.open(store).screen("Acme Holdings")
    hit = next(h for h in hits if h.basis == "ownership")
    assert hit.entity_id == "ownership_blocked:acme/acme-holdings" and hit.score >= 0.99
    assert hit.programs == ["SDNTK"]
    assert hit.consequences[0]["code"] == "block"
    assert "50 Percent Rule" in hit.consequences[0]["legal_basis"]
    assert "GUZMAN LOERA, Joaquin [us_ofac_sdn:6861] 30% → Acme Holdings" in hit.explanation
    data = hit.to_dict()
    assert data["basis"] == "ownership" and data["ownership"]["share"]["lower"] == 55.0
    assert data["ownership"]["list_versions"] == {"us_ofac_sdn": "sdn a"}


def test_reimport_is_a_no_op_and_regimes_publish_their_datasets(store: Store) -> None:
    first = import_ownership(store, [ACME], "acme")
    again = import_ownership(store, [ACME], "acme")
    assert first["created"] and not again["created"]
    assert not any(d["changed"] for d in again["derived"].values())
    import_ownership(store, [ACME], "acme", Settings("eu_uk"))
    eu = {e.id for e in store.entities(datasets=["ownership_eu_uk"])}
    # EU/UK: more than 50% — Acme Holdings (55%) and its 60% subsidiary; not the 40-60% range
    assert eu == {"ownership_eu_uk:acme/acme-holdings", "ownership_eu_uk:acme/acme-transport"}


def test_explain_prints_and_draws_the_graph(store: Store) -> None:
    import_ownership(store, [ACME], "acme")
    result = analyse(store)
    view = neighbourhood(result, find_node(result, "Acme Transport SA"))
    text = as_text(view)
    assert "BLOCKED by ownership" in text and "cycle" in text
    assert "GUZMAN LOERA, Joaquin [us_ofac_sdn:6861] 30% → Acme Holdings 60% → Acme Transport SA" in text
    svg = as_svg(view)
    assert svg.startswith("<svg") and svg.count('class="node"') == len(view["nodes"])
    assert 'data-key="acme/acme-holdings" data-status="blocked"' in svg


# --- input ----------------------------------------------------------------------------------


def test_bad_csv_rows_are_all_reported_and_nothing_is_stored(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        ACME.read_text(encoding="utf-8")
        + "X Corp,,Company,Y Corp,y,120%,,,,\n"
        + "Z Corp,,Company,,w,30,,,2020-13-01,\n",
        encoding="utf-8",
    )
    with pytest.raises(OwnershipInputError) as caught:
        import_ownership(store, [bad], "bad")
    message = str(caught.value)
    assert "line 11, field 'share'" in message
    assert "line 12, field 'owned_name'" in message and "line 12, field 'start'" in message
    assert OwnershipStore(store).versions() == []


def test_shares_parse_as_ranges() -> None:
    assert (parse_share("25-50%").lower, parse_share("25-50%").upper) == (25, 50)
    assert str(parse_share("30")) == "30%" and str(parse_share(">50%")) == "50%–100%"
    with pytest.raises(ValueError):
        parse_share("half")


def _bods_with_owners(tmp_path: Path, example: str, names: dict[str, str]) -> Path:
    """A BODS example with some people renamed to real listed parties."""
    text = (BODS / example).read_text(encoding="utf-8")
    for old, new in names.items():
        text = text.replace(f'"fullName": "{old}"', f'"fullName": {json.dumps(new)}')
    path = tmp_path / example
    path.write_text(text, encoding="utf-8")
    return path


def test_bods_joint_ownership_by_listed_people_blocks_the_company(store: Store, tmp_path: Path) -> None:
    path = _bods_with_owners(
        tmp_path,
        "joint-ownership.json",
        {"Natalie Coleman": "GUZMAN LOERA, Joaquin", "Roberto Lopez": "CARO QUINTERO, Rafael"},
    )
    import_ownership(store, [path], "bods")
    derived = _derived(store)
    assert derived["bods/91b4236a7d89"].properties["ownershipStatus"] == ["blocked"]  # arrangement
    chrinon = derived["bods/31c55e425764"].source["ownership"]
    assert chrinon["status"] == "blocked" and chrinon["share"]["text"] == "100%"


def test_bods_indirect_interest_is_not_double_counted(store: Store, tmp_path: Path) -> None:
    path = _bods_with_owners(tmp_path, "indirect-ownership.json", {"Person 1": "GUZMAN LOERA, Joaquin"})
    report = import_ownership(store, [path], "bods")
    # Person 1 -> Company B: share unknown (0-100%); B -> A 60%; the indirect 30% restates that chain
    assert _status(store, "bods/d4ab89ea169a") == "possibly_blocked"
    assert _status(store, "bods/ad3f6c2fcc9e") == "possibly_blocked"
    assert any("indirect" in s["why"] for s in report["evaluation"]["skipped_interests"])


def test_bods_closed_relationship_no_longer_counts(store: Store, tmp_path: Path) -> None:
    """Tecido: Maria Esteves held 100%, then 40%, then 30%, then the relationship was closed."""
    path = _bods_with_owners(tmp_path, "tecido.json", {"Maria Esteves": "GUZMAN LOERA, Joaquin"})
    batch = read_ownership(path)
    assert {(i.owner, i.share.lower) for i in batch.interests} == {("033E84672B", 80.0)}
    import_ownership(store, [path], "tecido")
    assert _derived(store) == {}


def test_bods_bad_statement_is_named(tmp_path: Path) -> None:
    document = json.loads((BODS / "bods-package.json").read_text(encoding="utf-8"))
    relationship = next(s for s in document if s["recordType"] == "relationship")
    relationship["recordDetails"]["interests"][0]["share"] = {"minimum": 60, "maximum": 40}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(OwnershipInputError, match=relationship["statementId"]):
        read_ownership(path)


def test_every_bods_example_reads(tmp_path: Path) -> None:
    for path in sorted(BODS.glob("*.json")):
        batch = read_ownership(path)
        assert batch.parties, path.name


def test_ftm_ownership_lines(store: Store, tmp_path: Path) -> None:
    lines = [
        {"id": "p1", "schema": "Person", "properties": {"name": ["GUZMAN LOERA, Joaquin"], "birthDate": ["1954-12-25"]}},
        {"id": "p2", "schema": "Person", "properties": {"name": ["CARO QUINTERO, Rafael"]}},
        {"id": "c1", "schema": "Company", "properties": {"name": ["Transportes Culiacan SA"]}},
        {"id": "o1", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["c1"], "percentage": ["30"]}},
        {"id": "o2", "schema": "Ownership", "properties": {"owner": ["p2"], "asset": ["c1"], "percentage": ["25"]}},
        {"id": "o3", "schema": "Ownership", "properties": {"owner": ["p2"], "asset": ["c1"], "percentage": ["40"], "endDate": ["2021-01-01"]}},
    ]
    path = tmp_path / "own.ftm.json"
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    import_ownership(store, [path], "ftm")
    assert _derived(store)["ftm/c1"].source["ownership"]["share"]["text"] == "55%"


# --- the engine ------------------------------------------------------------------------------


def test_cycle_of_blocked_holdings_terminates() -> None:
    keys = ["listed", "a", "b", "c"]
    graph = Graph.build(
        keys,
        np.array([0, 1, 2, 3]),
        np.array([1, 2, 3, 1]),
        np.array([0.5, 0.9, 0.9, 0.9]),
        np.array([0.5, 0.9, 0.9, 0.9]),
        np.zeros(4, dtype=bool),
    )
    result = evaluate(graph, np.array([True, False, False, False]))
    assert result.blocked.tolist() == [True, True, True, True]
    assert [sorted(c.tolist()) for c in result.cycles] == [[1, 2, 3]]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_incremental_update_equals_full_evaluation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = 60, 150
    owner, owned = rng.integers(0, n, m), rng.integers(0, n, m)
    low = rng.choice([0.1, 0.25, 0.3, 0.5, 0.6], m)
    graph = Graph.build([str(i) for i in range(n)], owner, owned, low, low + 0.1, rng.random(m) < 0.05)
    seeds = rng.random(n) < 0.1
    first = evaluate(graph, seeds)
    changed = seeds.copy()
    flip = rng.integers(0, n, 5)
    changed[flip] = ~changed[flip]
    incremental, full = evaluate(graph, changed, previous=first), evaluate(graph, changed)
    for name in ("blocked", "possibly", "eu_uk", "significant", "share_lower", "share_upper"):
        assert np.array_equal(getattr(incremental, name), getattr(full, name)), name


def test_interest_dates() -> None:
    batch = read_ownership(ACME)
    ended = next(i for i in batch.interests if i.end)
    assert not ended.current(date(2026, 1, 1)) and ended.current(date(2019, 6, 1))


# --- kept current ---------------------------------------------------------------------------


@pytest.mark.slow
def test_new_designation_blocks_owned_company_and_raises_an_alert(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    without_caro = [e for e in sdn_entities() if e.id != CARO]
    store.import_batch(_sdn_batch(without_caro, "b"))
    monitor = Monitor(store)
    monitor.attach()
    OwnershipWatch(store).attach()
    import_ownership(store, [ACME], "acme")
    assert _status(store, "acme/acme-holdings") == "significant"  # 30% only
    monitor.add_records([RecordInput("cust1", "Acme Holdings", "Company")], actor="t", source="t")

    store.import_batch(_sdn_batch(list(sdn_entities()), "c"))  # CARO QUINTERO designated

    assert _status(store, "acme/acme-holdings") == "blocked"
    with monitor.sessions() as session:
        alerts = session.scalars(select(Alert).where(Alert.record_id == "cust1")).all()
    blocked = [a for a in alerts if a.entity_id == "ownership_blocked:acme/acme-holdings"]
    assert blocked and blocked[0].status == "open"
    explanation = json.loads(blocked[0].explanation)["explanation"]
    assert "CARO QUINTERO, Rafael [us_ofac_sdn:6707] 25% → Acme Holdings" in explanation

    store.activate(store.versions("us_ofac_sdn")[0].id)  # back to the version without him
    assert _status(store, "acme/acme-holdings") == "significant"
    with monitor.sessions() as session:
        alert = session.get(Alert, blocked[0].id)
    assert alert is not None and alert.status == "closed"


def test_every_path_sees_the_owned_entity(store: Store) -> None:
    """Batch files, payments and document scans use the same index: no per-path code."""
    import pandas as pd

    from clearance.batch import screen_records
    from clearance.documents import scan
    from clearance.payments import screen_payment

    import_ownership(store, [ACME], "acme")
    screener = Screener.open(store)
    records = pd.DataFrame({"id": ["r1", "r2"], "name": ["Acme Transport SA", "Blue Harbour Bakery"]})
    frames = screen_records(records, screener, workers=1)
    rows = pd.concat(frames)
    assert "ownership_blocked:acme/acme-transport" in set(rows["entity_id"])
    message = (REPO / "tests" / "fixtures" / "payments" / "mt103_clear.txt").read_text()
    message = message.replace("WOLVERINE PRECISION TOOLING INC", "ACME TRANSPORT SA")
    payment = screen_payment(message.encode(), screener=screener)
    assert payment.verdict == "block"
    mentions = scan("Invoice from Acme Holdings for freight, paid in March.", screener=screener)
    assert any(m.entity_id == "ownership_blocked:acme/acme-holdings" for m in mentions)


def test_cli_import_explain_and_refusal(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from clearance.cli.main import app

    with Store.open() as default:
        default.import_batch(_sdn_batch(list(sdn_entities()), "d"))
    runner = CliRunner()
    done = runner.invoke(app, ["ownership", "import", str(ACME), "--dataset", "acme"])
    assert done.exit_code == 0, done.output
    assert "blocked by ownership 2" in done.output and "cycle" in done.output
    explained = runner.invoke(app, ["ownership", "explain", "acme/acme-holdings"])
    assert explained.exit_code == 0 and "share held by blocked persons: 55%" in explained.output
    bad = tmp_path / "bad.csv"
    bad.write_text("owner_name,owned_name,owned_id,share\nA,B,b,150\n", encoding="utf-8")
    refused = runner.invoke(app, ["ownership", "import", str(bad)])
    assert refused.exit_code == 1 and "line 2, field 'share'" in refused.output
