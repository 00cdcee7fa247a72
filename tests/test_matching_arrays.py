"""The array paths of matching (token similarities of many pairs, alignment of many pairs at
once, listed tokens' matches stored at build) give exactly what the one-at-a-time definitions
give."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from clearance.matching.normalize import normalize_name
from clearance.matching.scoring import (
    ARRAY_TOKENS,
    TokenTraits,
    _greedy,
    _items,
    align,
    align_many,
    similarity_arrays,
    token_similarity,
)
from matching_lists import active_entities, bundled_screener

#: Letters that make transliteration folds, skeletons and vowel-stripping likely, and digits.
ALPHABET = "aeiouyhkcqsztdjgwvmnlrb0"


def differing(firsts: list[str], seconds: list[str]) -> list[tuple[str, str, float, float]]:
    """Pairs whose similarity in arrays is not exactly token_similarity's."""
    arrays = similarity_arrays(TokenTraits.of(firsts), TokenTraits.of(seconds)).tolist()
    return [
        (a, b, token_similarity(a, b)[0], value)
        for a, b, value in zip(firsts, seconds, arrays, strict=True)
        if value != token_similarity(a, b)[0]
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(ALPHABET, min_size=1, max_size=11), st.text(ALPHABET, min_size=1)),
        min_size=1,
        max_size=40,
    )
)
def test_similarities_in_arrays_are_token_similarity(pairs: list[tuple[str, str]]) -> None:
    firsts, seconds = [a for a, _ in pairs], [b[:12] for _, b in pairs]
    assert differing(firsts, seconds) == []


def test_real_list_tokens_and_their_slips() -> None:
    """Listed tokens against other listed tokens sharing a first letter and against slipped,
    vowel-stripped, doubled and transliterated spellings of themselves: the same numbers in
    arrays as one by one, every way of matching among them."""
    rng = random.Random(5)
    tokens = sorted(
        {t for e in active_entities() for n in e.names for t in normalize_name(n.full).tokens}
    )
    sample = rng.sample(tokens, 3000)
    firsts, seconds = [], []
    for token in sample:
        same_initial = [t for t in rng.sample(tokens, 200) if t[0] == token[0]][:3]
        slips = [
            token[:i] + token[i + 1 :] for i in rng.sample(range(len(token)), min(2, len(token)))
        ]
        stripped = token[0] + "".join(c for c in token[1:] if c not in "aeiouy")
        spelled = token.replace("u", "o").replace("k", "q").replace("i", "e")
        for other in [*same_initial, *slips, stripped, spelled, token + token[-1], token[0]]:
            if other:
                firsts.append(token)
                seconds.append(other)
    assert differing(firsts, seconds) == []
    hows = {token_similarity(a, b)[1] for a, b in zip(firsts, seconds, strict=True)}
    assert hows == {"exact", "transliteration", "fuzzy", "phonetic", "initial", "ocr", ""}


def test_alignments_in_arrays_follow_the_item_by_item_greedy() -> None:
    """Real listed names against slipped, reordered and shortened forms of other listed names
    (so many pairs tie, miss tokens or need joined tokens): aligning them all at once gives
    each pair what aligning it alone gives, and the array greedy takes the same token pairs
    as the item-by-item greedy it stands for."""
    rng = random.Random(11)
    names = [
        (normalize_name(n.full).tokens, normalize_name(n.full).kinds)
        for e in active_entities()
        for n in e.names
        if normalize_name(n.full).tokens
    ]
    inputs = []
    for tokens, kinds in rng.sample(names, 1500):
        other, _ = rng.choice(names)
        query = list(other[: rng.randint(1, len(other))]) + list(tokens[:2])
        rng.shuffle(query)
        query = [t[:-1] if len(t) > 5 and rng.random() < 0.3 else t for t in query]
        if len(query) > 1 and rng.random() < 0.2:
            query[:2] = [query[0] + query[1]]  # joined tokens
        query_kinds = tuple(0 for _ in query)
        weights = tuple(float(rng.randint(1, 9)) for _ in query)
        listed_weights = tuple(float(rng.randint(1, 9)) for _ in tokens)
        cut = rng.randrange(len(query)) if rng.random() < 0.3 else -1
        if cut >= 0 and len(query[cut]) > 3:
            query[cut] = query[cut][: rng.randint(2, len(query[cut]) - 1)]  # cut short
        inputs.append((tuple(query), query_kinds, weights, tokens, kinds, listed_weights, cut))
    together = align_many(inputs)
    for p, x in enumerate(inputs):
        alone = align(*x)
        assert together[p] == alone
        if len(x[0]) <= ARRAY_TOKENS and len(x[3]) <= ARRAY_TOKENS:
            greedy = sorted(_greedy(_items(x)), key=lambda pair: pair.query[0])
            if all(len(pair.query) == len(pair.listed) == 1 for pair in alone.pairs):
                assert list(alone.pairs) == greedy
    assert any(len(x[0]) > ARRAY_TOKENS or len(x[3]) > ARRAY_TOKENS for x in inputs)
    hows = {pair.how for p in range(len(inputs)) for pair in together[p].pairs}
    assert {"joined", "prefix"} <= hows


def test_listed_tokens_matches_stored_at_build_equal_a_search_now() -> None:
    """The matches of every listed token are searched once when the index is built, in
    arrays; a search of a sample of them one at a time finds the same."""
    index = bundled_screener().index
    rng = random.Random(3)
    sample = rng.sample([t for t in index.vocab if len(t) > 1], 150)
    for token in sample:
        t = index.vocab_ids[token]
        start, end = index.match_ptr[t], index.match_ptr[t + 1]
        ids, sims = index._search([token])[token]
        assert ids.tolist() == index.match_ids[start:end].tolist()
        assert sims.tolist() == index.match_sims[start:end].tolist()
    assert len(index.match_ptr) == len(index.vocab) + 1
    assert index.match_ptr[-1] > len(index.vocab)
