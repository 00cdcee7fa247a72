"""The fast batch path and the persisted index give exactly what one query at a time gives."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from faker import Faker

from clearance.batch import CHUNK_ROWS, MIN_CHUNK_ROWS, chunk_rows, screen_records
from clearance.matching import Screener
from clearance.matching.index import MAX_FUZZY_TOKENS, EntityTable, NameIndex
from clearance.matching.normalize import normalize_name
from clearance.sources import newest_batches, read_paths
from conftest import LISTS
from matching_lists import active_entities, bundled_screener

pytestmark = pytest.mark.slow


def customer_names(count: int, seed: int) -> list[str]:
    """Half listed names with a slip (dropped letter, reordered or dropped word), half
    realistic names of people and companies from several locales."""
    rng = random.Random(seed)
    fake = Faker(["en_US", "es_MX", "de_DE", "ru_RU", "ar_AA", "zh_CN"])
    fake.seed_instance(seed)
    listed = [n.full for e in active_entities() for n in e.names]
    names = []
    for _ in range(count // 2):
        words = rng.choice(listed).replace(",", "").split()
        if len(words) > 2 and rng.random() < 0.4:
            words.pop(rng.randrange(len(words)))
        rng.shuffle(words)
        word = rng.randrange(len(words))
        if len(words[word]) > 4:
            cut = rng.randrange(1, len(words[word]) - 1)
            words[word] = words[word][:cut] + words[word][cut + 1 :]
        names.append(" ".join(words))
    names += [fake.company() if i % 4 == 0 else fake.name() for i in range(count - len(names))]
    return names


@pytest.fixture(scope="module")
def reopened(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled index saved once: each test reopens it with empty caches."""
    folder = tmp_path_factory.mktemp("index") / "bundled"
    bundled_screener().index.save(folder)
    return folder


def fresh(folder: Path) -> Screener:
    index = NameIndex.load(folder)
    assert index is not None
    return Screener(index)


def scored(hits) -> list[tuple[str, float]]:
    return [(h.entity_id, h.score) for h in hits]


def test_batch_scores_equal_single_queries(reopened: Path) -> None:
    names = customer_names(1600, seed=3)
    single = fresh(reopened)
    one_by_one = [scored(single.screen(name, threshold=0.5, limit=50)) for name in names]
    batch = fresh(reopened)
    together = [
        scored(hits)
        for start in range(0, len(names), 800)
        for hits in batch.screen_many(
            [{"name": n} for n in names[start : start + 800]], threshold=0.5, limit=50
        )
    ]
    assert sum(map(len, one_by_one)) > 800  # the comparison covers many hits
    for name, expected, got in zip(names, one_by_one, together, strict=True):
        assert [e for e, _ in got] == [e for e, _ in expected], name
        assert all(abs(a - b) <= 1e-9 for (_, a), (_, b) in zip(got, expected, strict=True))


def test_trigram_neighbours_alone_equal_neighbours_in_a_chunk(reopened: Path) -> None:
    index = fresh(reopened).index
    tokens = list(
        dict.fromkeys(
            t for name in customer_names(400, seed=5) for t in normalize_name(name).tokens
        )
    )
    tokens = [t for t in tokens if len(t) >= 2]
    together = index._trigram_neighbours(tokens)
    assert any(len(found) == MAX_FUZZY_TOKENS for found in together.values())  # cut reached
    for token in tokens:
        assert index._trigram_neighbours([token]).get(token) == together.get(token), token


def test_worker_processes_give_the_single_query_hits(reopened: Path) -> None:
    names = customer_names(600, seed=11)
    records = pd.DataFrame({"id": [str(i) for i in range(len(names))], "name": names})
    parts = screen_records(records, fresh(reopened), workers=2)
    rows = pd.concat(parts)
    single = fresh(reopened)
    expected = [
        (str(i), hit.entity_id, hit.score)
        for i, name in enumerate(names)
        for hit in single.screen(name)
    ]
    assert len(expected) > 50
    got = list(zip(rows["query_id"], rows["entity_id"], rows["score"], strict=True))
    assert got == expected


def test_reopened_index_equals_the_built_one(reopened: Path) -> None:
    built = bundled_screener().index
    loaded = NameIndex.load(reopened)
    assert loaded is not None
    assert isinstance(loaded.entities, EntityTable)
    assert len(loaded.entities) == len(built.entities)
    for position in (0, len(built.entities) // 2, len(built.entities) - 1, -1):
        assert loaded.entities[position] == built.entities[position]
    assert list(loaded.entities) == list(built.entities)
    assert (loaded.postings != built.postings).nnz == 0
    numbers = built.identifier_numbers
    assert len(numbers) > 1000
    for number in numbers[:: len(numbers) // 7]:
        assert loaded.identifier_entities(number) == built.identifier_entities(number) != []
    assert loaded.identifier_entities("NOT-A-NUMBER") == []


def test_other_layouts_are_rebuilt_not_misread(reopened: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for item in reopened.iterdir():
        (copy / item.name).write_bytes(item.read_bytes())
    assert NameIndex.load(copy) is not None
    (copy / "index.json").write_text(
        (copy / "index.json").read_text().replace('"layout":', '"layout":0,"old":'),
        encoding="utf-8",
    )
    assert NameIndex.load(copy) is None
    (copy / "entities.jsonl").unlink()
    assert NameIndex.load(copy) is None


def test_newest_batches_keeps_the_last_version_of_each_dataset(monkeypatch) -> None:
    import clearance.sources.detect as detect

    every = read_paths([LISTS])
    monkeypatch.setattr(detect, "read_paths", lambda paths: every)  # read the lists once
    newest = newest_batches([LISTS])
    assert len(newest) == len({b.dataset for b in every}) < len(every)
    for batch in newest:
        versions = [b for b in every if b.dataset == batch.dataset]
        assert batch.content_hash == versions[-1].content_hash


def test_chunks_spread_work_over_the_workers() -> None:
    assert chunk_rows(100_000, 2) == CHUNK_ROWS
    assert chunk_rows(100, 2) == MIN_CHUNK_ROWS
    assert chunk_rows(10_000, 2) == 1250  # four chunks per worker
