"""The vectorised pre-filter of token lookups never drops a pair that token_similarity matches."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from clearance.matching.normalize import normalize_name
from clearance.matching.scoring import TokenTraits, may_be_similar, token_similarity
from matching_lists import active_entities

#: Letters that make transliteration folds, skeletons and vowel-stripping likely, and digits.
ALPHABET = "aeiouyhkcqsztdjgwvmnlrb0"


def dropped(firsts: list[str], seconds: list[str]) -> list[tuple[str, str, float]]:
    """Pairs the filter rules out although token_similarity gives them a similarity."""
    possible = may_be_similar(TokenTraits.of(firsts), TokenTraits.of(seconds))
    return [
        (a, b, token_similarity(a, b)[0])
        for a, b, may in zip(firsts, seconds, possible.tolist(), strict=True)
        if not may and token_similarity(a, b)[0] > 0.0
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(ALPHABET, min_size=1, max_size=11), st.text(ALPHABET, min_size=1)),
        min_size=1,
        max_size=40,
    )
)
def test_never_drops_a_similar_pair(pairs: list[tuple[str, str]]) -> None:
    firsts, seconds = [a for a, _ in pairs], [b[:12] for _, b in pairs]
    assert dropped(firsts, seconds) == []


def test_real_list_tokens_and_their_slips() -> None:
    """Listed tokens against other listed tokens sharing a first letter and against slipped,
    vowel-stripped and doubled spellings of themselves: nothing similar is dropped, and most
    unrelated pairs are ruled out (the filter earns its place)."""
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
        for other in [*same_initial, *slips, stripped, token + token[-1]]:
            if other:
                firsts.append(token)
                seconds.append(other)
    assert dropped(firsts, seconds) == []
    possible = may_be_similar(TokenTraits.of(firsts), TokenTraits.of(seconds))
    similar = np.array(
        [token_similarity(a, b)[0] > 0 for a, b in zip(firsts, seconds, strict=True)]
    )
    assert possible[~similar].mean() < 0.5
