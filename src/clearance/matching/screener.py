"""The screener: candidates from the index, exact alignment, evidence, explained hits.

``Screener.open()`` loads the store's active entities and reopens the persisted index for them
(``config.home()/index/<key>/``, key = hash of the active version ids and the matcher version),
building it only when the lists changed. ``Screener.from_entities`` builds one in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from clearance import config
from clearance.countries import to_iso2
from clearance.errors import InputError, Location
from clearance.matching.index import MATCHER_VERSION, NAME_KINDS, EntityInfo, NameIndex, is_weak
from clearance.matching.normalize import (
    NAME,
    NormalizedName,
    comma_slips,
    name_renderings,
    normalize_name,
    read_cut,
    word_break_slips,
)
from clearance.matching.scoring import (
    DOB_EXACT,
    KIND_FACTOR,
    STRONG_ID_FLOOR,
    AlignInput,
    Alignment,
    Alignments,
    Evidence,
    align,
    align_many,
    birth_date_evidence,
    canonical_schema,
    country_evidence,
    damage_marked,
    identifier_evidence,
    identifier_forms,
    name_keys,
    schema_evidence,
)
from clearance.matching.transliterate import korean_name, korean_spelling_key
from clearance.model import Entity, Identifier

#: Default alert threshold: a hit at or above it is an alert. Chosen from the sweep of
#: ``clearance evaluate --lists ../shared/data/lists`` (seed 42, matcher version 3): 0.80 is
#: the only level meeting both targets (lowest class recall 0.968 adversarial / 0.983 benign,
#: 4.5 false alerts per 1,000); 0.75 gives 22 false alerts per 1,000, 0.85 a recall of 0.93.
DEFAULT_THRESHOLD = 0.8
#: A weak alias alone (nickname, generic aka) stays below the default threshold by this margin,
#: whatever threshold a query uses (so the score means the same everywhere).
WEAK_ALIAS_MARGIN = 0.05
#: Names pre-scored below ``threshold - PRESCORE_MARGIN`` are not aligned.
PRESCORE_MARGIN = 0.2
#: At most this many names per query are aligned exactly (best pre-scores first).
MAX_CANDIDATES = 24
#: Most that positive evidence other than a strong identifier adds (birth date, country, weak id).
MAX_EVIDENCE_GAIN = 0.2
#: Candidates reported by :meth:`Screener.candidates` (the stage's recall is measured there).
CANDIDATE_FLOOR = 0.3

FEATURE_DOCS = {
    "name": "Rarity-weighted share of tokens paired one-to-one between the query and the listed "
    "name (exact, fuzzy, phonetic/transliteration, initial or joined); listed tokens the query "
    "lacks cost a quarter of their weight, query tokens the name lacks cost all of theirs.",
    "birth_date": "Same birth date (+0.06), or the same to the precision both have (+0.04), "
    "raises the score; a date one slip away (a year off, day and month swapped, one digit "
    "off, up to 3 days off) costs 0.02, another day of the same year 0.05, another date "
    "0.15; against a listed year alone only a year off is a slip. A date that does not "
    "exist (day 32) counts to the month it gives.",
    "country": "Query country among the listed nationalities/countries (+0.03), else -0.05.",
    "identifier": "An equal strong identifier (passport, national id, IMO, crypto address...) "
    "sets the score to at least 0.95; an equal weak one adds 0.10; differing ones -0.03.",
    "schema": "Query and listed entity of incompatible types (person vs vessel...): -0.25.",
    "weak_alias": "Matched only a weak alias (nickname, generic a.k.a.): capped below the "
    "threshold unless other evidence agrees.",
}


#: How an explanation says that a damaged name was read as one string, not word by word.
READ_WHOLE = "read whole"
#: How the explanation says a query was read with a letter put back across a comma, space or
#: hyphen, and what of the score that reading keeps.
REPAIRED = "read with a letter put back across a word break:"
SLIP_FACTOR = 0.97


@dataclass(frozen=True, slots=True)
class Feature:
    """One feature's part in a score (``score`` is the name score or an evidence's delta)."""

    name: str
    score: float
    detail: str
    query: str | None = None
    candidate: str | None = None
    weight: float | None = None


@dataclass(slots=True)
class Hit:
    """A listed party a query may be, with the score, the reasons and the consequences."""

    entity_id: str
    caption: str
    schema: str
    dataset: str
    list_version: str | None
    programs: list[str]
    score: float
    matched_name: str
    name_kind: str
    features: list[Feature]
    tokens: list[dict[str, Any]]
    consequences: list[dict[str, Any]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    #: "list" (the party is listed) or "ownership" (blocked by who owns it: see ``ownership``)
    basis: str = "list"
    ownership: dict[str, Any] | None = None

    @property
    def explanation(self) -> str:
        """One line an analyst can paste into a case note."""
        pairs = ", ".join(
            f"{t['query']}={t['listed']}"
            + ("" if t["how"] == "exact" else f" ({t['how']} {t['similarity']:.2f})")
            for t in self.tokens
            if t["listed"] is not None and t["query"] is not None
        )
        missing = [t["listed"] for t in self.tokens if t["query"] is None]
        extra = [t["query"] for t in self.tokens if t["listed"] is None]
        parts = [f"{self.score:.2f} {self.name_kind} name {self.matched_name!r}: {pairs or '-'}"]
        parts += [
            f.detail
            for f in self.features
            if f.name == "name" and (READ_WHOLE in f.detail or REPAIRED in f.detail)
        ]
        if missing:
            parts.append(f"not in query: {' '.join(missing)}")
        if extra:
            parts.append(f"not listed: {' '.join(extra)}")
        parts += [
            f"{f.name} {f.score:+.2f} ({f.detail})" for f in self.features if f.name != "name"
        ]
        if self.ownership:
            parts.append(
                f"{self.ownership['status']} by ownership {self.ownership['share']['text']}: "
                + "; ".join(self.ownership["chains"])
            )
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["score"] = round(self.score, 4)
        data["explanation"] = self.explanation
        return data


@lru_cache(maxsize=4096)
def _consequences(programs: tuple[str, ...], dataset: str) -> tuple[dict[str, Any], ...]:
    from clearance.legal import consequences_for

    return tuple(c.to_dict() for c in consequences_for(list(programs), dataset))


@dataclass(frozen=True, slots=True)
class Query:
    """One record to screen, validated and normalised."""

    name: str
    schema: str | None = None
    birth_date: str | None = None
    country: str | None = None
    identifiers: tuple[str, ...] = ()

    @property
    def birth_dates(self) -> tuple[str, ...]:
        """The candidate birth dates (``birth_date`` may hold several, ``;``-separated)."""
        return tuple(self.birth_date.split(";")) if self.birth_date else ()

    @classmethod
    def of(
        cls,
        name: str,
        schema: str | None = None,
        birth_date: str | None = None,
        country: str | None = None,
        identifiers: Iterable[str | Identifier] = (),
    ) -> Query:
        """Validate a record; bad fields raise :class:`InputError` naming the field."""
        if not isinstance(name, str) or not name.strip():
            raise InputError("a name is required", Location(field="name"))
        try:
            schema = canonical_schema(schema)
        except ValueError as exc:
            raise InputError(str(exc), Location(field="schema")) from None
        birth_date = _check_date(birth_date)
        iso = None
        if country is not None and str(country).strip():
            iso = to_iso2(str(country))
            if iso is None:
                raise InputError(f"unknown country {country!r}", Location(field="country"))
        numbers = tuple(
            form
            for i in identifiers
            for form in identifier_forms(i.number if isinstance(i, Identifier) else str(i))
        )
        return cls(name, schema, birth_date, iso, numbers)


def _check_date(value: str | None) -> str | None:
    """The birth date field: one ISO date, or several candidates (the readings of an ambiguous
    date) separated by ``;``, each YYYY, YYYY-MM or YYYY-MM-DD."""
    if value is None or not str(value).strip():
        return None
    readings = [part.strip() for part in str(value).split(";") if part.strip()]
    if not readings or not all(_iso_date(text) for text in readings):
        raise InputError(
            f"bad birth date {value!r} (use YYYY or YYYY-MM-DD)", Location(field="birth_date")
        )
    return ";".join(readings)


def _iso_date(text: str) -> bool:
    # a day or month that does not exist (a slip: 1970-02-32) is kept and compared at the
    # precision the date still has (see scoring.birth_date_evidence)
    return (
        (len(text) == 4 and text.isdigit())
        or (len(text) == 7 and text[:4].isdigit() and text[4] == "-" and text[5:].isdigit())
        or (
            len(text) == 10
            and text[:4].isdigit()
            and text[4] == text[7] == "-"
            and text[5:7].isdigit()
            and text[8:].isdigit()
        )
    )


class Screener:
    """Screens names and records against one set of entities (see the module docstring)."""

    def __init__(
        self,
        index: NameIndex,
        versions: Mapping[str, str] | None = None,
        key: str = "",
        folder: Path | None = None,
    ) -> None:
        self.index = index
        self.versions = dict(versions or {})  # dataset -> active version label/id
        self.key = key
        self.folder = folder  # where the index is persisted, if it is

    # --- opening -----------------------------------------------------------------------------

    @classmethod
    def from_entities(cls, entities: Iterable[Entity], version_key: str | None = None) -> Screener:
        """An in-memory screener (tests, evaluation on files); ``version_key`` labels it."""
        return cls(NameIndex.build(e for e in entities if e.target), key=version_key or "")

    @classmethod
    def open(cls, store: Any = None) -> Screener:
        """The screener for the store's active versions, reopening its persisted index."""
        if store is None:
            from clearance.store import Store

            with Store.open() as opened:
                return cls.open(opened)
        versions = list(store.active_versions())
        ids = sorted(str(v.id) for v in versions)
        key = hashlib.sha256("\n".join([MATCHER_VERSION, *ids]).encode()).hexdigest()[:20]
        folder = index_folder(key)
        index = NameIndex.load(folder)
        if index is None:
            # context entities of FtM files (target false) are never hits by themselves
            index = NameIndex.build(e for e in store.entities() if e.target)
            index.save(folder)
        labels = {str(v.dataset): str(getattr(v, "label", None) or v.id) for v in versions}
        index.save_versions(folder, labels)
        return cls(index, labels, key, folder)

    @classmethod
    def load(cls, folder: Path) -> Screener:
        """The screener persisted in ``folder`` (worker processes open it this way)."""
        index = NameIndex.load(folder)
        if index is None:
            raise InputError("no usable index", Location(str(folder)))
        return cls(index, NameIndex.load_versions(folder), folder.name, folder)

    def persist(self) -> Path:
        """Save the index (if it is not saved yet) and return its folder."""
        if self.folder is None:
            ids = "\n".join(info.id for info in self.index.entities)
            digest = hashlib.sha256(f"{MATCHER_VERSION}\n{self.key}\n{ids}".encode()).hexdigest()
            folder = index_folder(digest[:20])
            if NameIndex.load(folder) is None:
                self.index.save(folder)
            self.index.save_versions(folder, self.versions)
            self.folder = folder
        return self.folder

    @property
    def entity_count(self) -> int:
        return len(self.index.entities)

    # --- screening ---------------------------------------------------------------------------

    def screen(
        self,
        name: str,
        schema: str | None = None,
        birth_date: str | None = None,
        country: str | None = None,
        identifiers: Iterable[str | Identifier] = (),
        limit: int = 10,
        threshold: float | None = None,
    ) -> list[Hit]:
        """Hits at or above ``threshold`` (default :data:`DEFAULT_THRESHOLD`), best first."""
        query = Query.of(name, schema, birth_date, country, identifiers)
        return self.screen_many([query], limit=limit, threshold=threshold)[0]

    def screen_many(
        self,
        records: Sequence[Query | Mapping[str, Any]],
        limit: int = 10,
        threshold: float | None = None,
    ) -> list[list[Hit]]:
        """Screen a batch: candidate generation for all records is one sparse product.

        Records are :class:`Query` objects or mappings with ``name`` and optional ``schema``,
        ``birth_date``, ``country``, ``identifiers``.
        """
        threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)
        queries = [r if isinstance(r, Query) else Query.of(**r) for r in records]
        renderings = [name_renderings(q.name) for q in queries]
        known = self.index.vocab_ids.__contains__
        slips = [comma_slips(q.name) or word_break_slips(q.name, known) for q in queries]
        if any(len(r) > 1 for r in renderings) or any(slips):
            # a name in another script: every rendering; a letter slipped across a word break:
            # the name as written and as repaired
            rows = [(i, n, "") for i, names in enumerate(renderings) for n in names]
            rows += [(i, normalize_name(t), t) for i, texts in enumerate(slips) for t in texts]
            found = self._screen_normalized(
                [queries[i] for i, _, _ in rows], [n for _, n, _ in rows], limit, threshold
            )
            merged: list[dict[str, Hit]] = [{} for _ in queries]
            korean = [korean_name(q.name.strip()) for q in queries]
            for (i, _, repaired), hits in zip(rows, found, strict=True):
                for hit in hits:
                    if korean[i] and not _spelled_by_convention(hit):
                        continue
                    if repaired:
                        hit = _repaired(hit, repaired)
                        if hit.score < threshold:
                            continue
                    if hit.entity_id not in merged[i] or hit.score > merged[i][hit.entity_id].score:
                        merged[i][hit.entity_id] = hit
            return [
                list(m.values())
                if len(names) == 1 and not repairs  # hits in the order scoring gave them
                else sorted(m.values(), key=lambda h: (-h.score, h.entity_id))[:limit]
                for m, names, repairs in zip(merged, renderings, slips, strict=True)
            ]
        return self._screen_normalized(queries, [r[0] for r in renderings], limit, threshold)

    def _screen_normalized(
        self, queries: list[Query], normalized: list[NormalizedName], limit: int, threshold: float
    ) -> list[list[Hit]]:
        """:meth:`screen_many` of queries whose names are normalised already."""
        readings = [_cut_reading(q.name, n) for q, n in zip(queries, normalized, strict=True)]
        estimates = self._prescore(normalized, readings)
        floor = max(0.0, threshold - PRESCORE_MARGIN)
        # per query, the names pre-scored at the floor or above, the best few where too many
        keep = estimates.data >= floor
        row_of = np.repeat(np.arange(len(queries)), np.diff(estimates.indptr))[keep]
        names, values = estimates.indices[keep], estimates.data[keep]
        bounds = np.searchsorted(row_of, np.arange(len(queries) + 1)).tolist()
        every_name = names.tolist()
        chosen: list[list[int]] = []
        for row in range(len(queries)):
            start, end = bounds[row], bounds[row + 1]
            if end - start > MAX_CANDIDATES:
                # the best estimates, ties broken by name number: the same names whatever
                # else is in the batch
                top = np.lexsort((names[start:end], -values[start:end]))[:MAX_CANDIDATES]
                chosen.append(names[start:end][top].tolist())
            else:
                chosen.append(every_name[start:end])
        # a name visibly damaged (digits among letters, words without vowels): the listed
        # names whose whole consonant keys are close join its candidates (scoring reads
        # such a name whole)
        damaged = [r for r, n in enumerate(normalized) if damage_marked(n.tokens, n.kinds)]
        if damaged:
            keys = [name_keys(normalized[r].tokens, normalized[r].kinds)[0] for r in damaged]
            for row, extra in zip(damaged, self.index.key_index().candidates(keys), strict=True):
                known = set(chosen[row])
                chosen[row] += [n for n in extra if n not in known]
        # every (query, candidate name) pair of the batch aligned at once
        inputs: list[AlignInput] = []
        for row, names in enumerate(chosen):
            tokens = normalized[row].tokens
            cut, kinds = readings[row]
            weights = tuple(
                self.index.token_matches(t, k).weight for t, k in zip(tokens, kinds, strict=True)
            )
            inputs += [(tokens, kinds, weights, *self.index.name_tokens(n), cut) for n in names]
        alignments = align_many(inputs, self.index.similarities)
        scores = alignments.scores.tolist()
        results = []
        offset = 0
        for row, query in enumerate(queries):
            results.append(
                self._score(
                    query,
                    normalized[row],
                    chosen[row],
                    scores[offset : offset + len(chosen[row])],
                    alignments,
                    offset,
                    limit=limit,
                    threshold=threshold,
                )
            )
            offset += len(chosen[row])
        return results

    def candidates(self, name: str, schema: str | None = None) -> list[str]:
        """Entity ids the candidate stage passes to scoring for ``name`` (to measure its recall):
        a name in another script is searched under each of its Latin renderings, as
        :meth:`screen_many` does (its candidates are those of every rendering)."""
        found: list[int] = []
        renderings = list(name_renderings(name))
        estimates = self._prescore(renderings, [_cut_reading(name, n) for n in renderings])
        for row in range(len(renderings)):
            start, end = estimates.indptr[row], estimates.indptr[row + 1]
            values, names = estimates.data[start:end], estimates.indices[start:end]
            above = values >= CANDIDATE_FLOOR
            order = np.argsort(-values[above], kind="stable")[:MAX_CANDIDATES]
            found += self.index.name_entity[names[above][order]].tolist()
        return list(dict.fromkeys(self.index.entities[e].id for e in found))

    def _prescore(
        self, normalized: Sequence[NormalizedName], readings: Sequence[tuple[int, tuple[int, ...]]]
    ) -> sp.csr_matrix:
        """The index's pre-score of every name for each query, its words read as
        :func:`_cut_reading` gives them (a cut word also reaches the listed words it begins).
        A query with two adjacent words that are one listed word written apart ("Stani
        slav") is pre-scored with them joined too, and keeps the better estimate of each name
        (the alignment pairs the parts with the word, see scoring._joined_items)."""
        rows = [(n.tokens, kinds) for n, (_, kinds) in zip(normalized, readings, strict=True)]
        cuts = [cut for cut, _ in readings]
        owners = list(range(len(rows)))
        vocab = self.index.vocab_ids
        for q in range(len(normalized)):
            tokens, kinds = rows[q]
            for i in range(len(tokens) - 1):
                if kinds[i] == kinds[i + 1] == NAME and tokens[i] + tokens[i + 1] in vocab:
                    joined = (*tokens[:i], tokens[i] + tokens[i + 1], *tokens[i + 2 :])
                    rows.append((joined, (*kinds[:i], NAME, *kinds[i + 2 :])))
                    owners.append(q)
                    cuts.append(-1)
        estimates, _ = self.index.prescore(rows, cuts)
        count = len(normalized)
        if len(rows) == count:
            return estimates
        joined_owner = np.asarray(owners[count:], dtype=np.int64)
        merged = np.unique(joined_owner)
        if len(merged) < count:
            # names in column order in every row (as the merge below gives them), then only
            # the queries with a joined form are merged: their row and their joined rows
            estimates = estimates.tocsr()
            estimates.sort_indices()
            found = estimates[np.concatenate([merged, np.arange(count, len(rows))])].tocoo()
            owner = np.concatenate([merged, joined_owner])[found.row]
        else:  # every query has one (one query alone): all rows merged
            found = estimates.tocoo()
            owner = np.asarray(owners, dtype=np.int64)[found.row]
        key = owner * estimates.shape[1] + found.col
        order = np.lexsort((-found.data, key))  # each (query, name): its best estimate first
        first = np.ones(len(order), dtype=bool)
        first[1:] = key[order][1:] != key[order][:-1]
        best = order[first]
        rank = np.searchsorted(merged, owner[best])  # rows of the merged queries, in order
        patch = sp.csr_matrix(
            (found.data[best], (rank, found.col[best])), shape=(len(merged), estimates.shape[1])
        )
        if len(merged) == count:
            return patch
        pick = np.arange(count)
        pick[merged] = count + np.arange(len(merged))
        return sp.vstack([estimates[:count], patch], format="csr")[pick]

    def _score(
        self,
        query: Query,
        normalized: Any,
        names: list[int],
        scores: list[float],
        alignments: Alignments,
        offset: int,
        *,
        limit: int,
        threshold: float,
    ) -> list[Hit]:
        """Hits of one query from its candidate names' scores (alignment rows ``offset`` on)."""
        index = self.index
        best: dict[int, tuple[float, int, int]] = {}  # entity -> (rank, name, alignment row)
        # a weak alias alone is capped (see _evidence): without evidence that could confirm
        # it, an entity is ranked by what its weak aliases can reach after the cap, so a
        # strong name of it that scores above the cap is the one shown
        has_evidence = bool(query.birth_date or query.country or query.identifiers)
        weak_cap = 1.0 if has_evidence else (DEFAULT_THRESHOLD - WEAK_ALIAS_MARGIN)
        entity_of, weak = index.name_owners()
        for k, (n, rank) in enumerate(zip(names, scores, strict=True)):
            entity = entity_of[n]
            previous = best.get(entity)
            if weak[n]:
                rank = min(rank, weak_cap) - 0.001
            if previous is None or rank > previous[0]:
                best[entity] = (rank, n, offset + k)
        by_identifier = set(self._identifier_entities(query))
        for position in by_identifier:
            if position not in best:
                best[position] = (0.0, -1, -1)

        hits = []
        gain = MAX_EVIDENCE_GAIN if has_evidence else 0.0
        for entity, (_, n, row) in best.items():
            name_score = scores[row - offset] if row >= 0 else 0.0
            if name_score + gain < threshold and entity not in by_identifier:
                continue  # no evidence can lift it to the threshold
            alignment = alignments[row] if row >= 0 else Alignment(0.0, (), False)
            score, evidence = self._evidence(query, index.entities[entity], alignment, n)
            if score >= threshold:
                hits.append((score, entity, n, alignment, evidence))
        hits.sort(key=lambda h: (-h[0], index.entities[h[1]].id))
        return [self._hit(query, normalized, *h) for h in hits[:limit]]

    def _identifier_entities(self, query: Query) -> list[int]:
        found: list[int] = []
        for number in query.identifiers:
            found.extend(self.index.identifier_entities(number))
        return found

    def _evidence(
        self, query: Query, info: EntityInfo, alignment: Alignment, n: int
    ) -> tuple[float, list[Evidence]]:
        """The final score from the name score and every piece of secondary evidence."""
        score = alignment.score
        evidence: list[Evidence] = []
        if query.birth_date and info.schema == "Person":
            # several readings (an ambiguous date): the one that agrees best counts
            readings = (birth_date_evidence(d, info.birth_dates) for d in query.birth_dates)
            found = max((e for e in readings if e), key=lambda e: e.delta, default=None)
            if found:
                evidence.append(found)
        if query.country:
            found = country_evidence(query.country, info.countries)
            if found:
                evidence.append(found)
        found_id, strong = identifier_evidence(query.identifiers, info.identifiers)
        if found_id:
            evidence.append(found_id)
        found = schema_evidence(query.schema, info.schema)
        if found:
            evidence.append(found)
        score += sum(e.delta for e in evidence)
        if strong:
            score = max(score, STRONG_ID_FLOOR + 0.04 * alignment.score)
        if n >= 0 and is_weak(int(self.index.name_kind[n])):
            confirmed = strong or any(e.delta > 0 for e in evidence)
            cap = DEFAULT_THRESHOLD - WEAK_ALIAS_MARGIN
            if not confirmed and score > cap:
                evidence.append(Evidence("weak_alias", cap - score, "weak alias alone"))
                score = cap
        negative = any(e.delta < 0 for e in evidence)
        # a birth date that agrees only in part (the month of an impossible day, the year of a
        # listed year) is not the certainty of an identical name with the same date
        partial_date = any(e.feature == "birth_date" and e.delta < DOB_EXACT for e in evidence)
        if not alignment.identical or negative or partial_date:
            score = min(score, 0.99)
        return max(0.0, min(1.0, score)), evidence

    def _hit(
        self,
        query: Query,
        normalized: Any,
        score: float,
        entity: int,
        n: int,
        alignment: Alignment,
        evidence: list[Evidence],
    ) -> Hit:
        index = self.index
        info = index.entities[entity]
        tokens: list[dict[str, Any]] = []
        matched_name = index.name_text[n] if n >= 0 else info.caption
        name_kind = str(NAME_KINDS[int(index.name_kind[n])]) if n >= 0 else "identifier"
        listed_tokens: tuple[str, ...] = ()
        if n >= 0:
            listed_tokens, _, _ = index.name_tokens(n)
            used_q, used_l = set(), set()
            for pair in alignment.pairs:
                used_q.update(pair.query)
                used_l.update(pair.listed)
                tokens.append(
                    {
                        "query": " ".join(normalized.tokens[i] for i in pair.query),
                        "listed": " ".join(listed_tokens[j] for j in pair.listed),
                        "how": pair.how,
                        "similarity": round(pair.similarity, 3),
                    }
                )
            tokens += [
                {"query": t, "listed": None, "how": "unmatched", "similarity": 0.0}
                for i, t in enumerate(normalized.tokens)
                if i not in used_q
            ]
            tokens += [
                {"query": None, "listed": t, "how": "missing", "similarity": 0.0}
                for j, t in enumerate(listed_tokens)
                if j not in used_l
            ]
        detail = f"{len(alignment.pairs)} token pair(s) with {matched_name!r}"
        if alignment.whole_name > 0:
            detail = (
                f"the damaged name {READ_WHOLE} against {matched_name!r}: "
                f"{alignment.whole_name:.2f} alike as one string (its "
                f"{len(alignment.pairs)} token pair(s) alone score less)"
            )
        features = [
            Feature(
                "name",
                round(alignment.score, 4),
                detail,
                query=query.name,
                candidate=matched_name,
            )
        ]
        features += [Feature(e.feature, round(e.delta, 4), e.detail) for e in evidence]
        return Hit(
            entity_id=info.id,
            caption=info.caption,
            schema=info.schema,
            dataset=info.dataset,
            list_version=self.versions.get(info.dataset),
            programs=list(info.programs),
            score=round(score, 4),
            matched_name=matched_name,
            name_kind=name_kind,
            features=features,
            tokens=tokens,
            consequences=[dict(c) for c in _consequences(info.programs, info.dataset)],
            topics=list(info.topics),
            basis="ownership" if info.ownership else "list",
            ownership=info.ownership,
        )


def index_folder(key: str) -> Path:
    return config.home() / "index" / key


def _repaired(hit: Hit, repaired: str) -> Hit:
    """``hit`` of a query read with a letter put back across a word break (``repaired``): it
    costs ``1 - SLIP_FACTOR`` of the score, and the explanation says how it was read."""
    detail = f"{REPAIRED} {repaired!r}"
    return replace(
        hit,
        score=round(hit.score * SLIP_FACTOR, 4),
        features=[*hit.features, Feature("name", hit.score, detail)],
    )


def _spelled_by_convention(hit: Hit) -> bool:
    """Every query token of ``hit`` pairs with a listed spelling of the same Korean
    syllables. A name read from Hangul is spelled by convention, not typed: a listed
    syllable a letter away (Song for 상, Yong for 경) is another name, not a slip."""
    return all(
        t["listed"] is not None
        and korean_spelling_key(t["query"]) == korean_spelling_key(t["listed"])
        for t in hit.tokens
        if t["query"] is not None
    )


def _cut_reading(written: str, normalized: NormalizedName) -> tuple[int, tuple[int, ...]]:
    """:func:`~clearance.matching.normalize.read_cut` of a query written ``written``, of which
    ``normalized`` is a rendering: a field cut is where the name as written ends, so only a
    rendering that is the name as written (not a transliteration with other tokens) has one."""
    if normalized.tokens != normalize_name(written).tokens:
        return -1, normalized.kinds
    return read_cut(written, normalized)


def compare(name1: str, name2: str, schema: str = "Person") -> float:
    """Similarity in [0, 1] of two names, as the screener scores a name against a listed one.

    Token rarity is unknown outside the lists, so every token weighs the same; 1.0 only for
    identical normalised names.
    """
    canonical_schema(schema)  # validates
    first, second = normalize_name(name1), normalize_name(name2)
    if not first.tokens or not second.tokens:
        return 0.0
    weights_2 = tuple(KIND_FACTOR[k] for k in second.kinds)
    cut, kinds = read_cut(name1, first)  # the first name is the query: its last word may be cut
    weights_1 = tuple(KIND_FACTOR[k] for k in kinds)
    alignment = align(first.tokens, kinds, weights_1, second.tokens, second.kinds, weights_2, cut)
    return round(alignment.score, 4)
