"""MinHash signatures and locality-sensitive banding for grouping similar questions.

Pure Python, nothing downloaded: a question is the set of its search terms; two
questions' Jaccard similarity (shared terms over all terms) is estimated by the share
of the ``PERMUTATIONS`` minimum hashes their signatures agree on. Banding puts
signatures that agree on a whole band of rows in the same bucket, so only those
pairs are compared (not every pair).
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence

PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
_PRIME = (1 << 61) - 1
_MAX = (1 << 64) - 1
_rng = random.Random(20261122)  # noqa: S311 - fixed hash coefficients, not a secret
_COEFFICIENTS = [(_rng.randrange(1, _PRIME), _rng.randrange(0, _PRIME)) for _ in range(PERMUTATIONS)]


def _hash(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "big")


def signature(terms: Iterable[str]) -> tuple[int, ...]:
    """The MinHash signature of a set of terms (all-maximum for an empty set)."""
    hashes = [_hash(t) for t in set(terms)]
    if not hashes:
        return (_MAX,) * PERMUTATIONS
    return tuple(min((a * h + b) % _PRIME for h in hashes) for a, b in _COEFFICIENTS)


def similarity(left: Sequence[int], right: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the two sets behind the signatures."""
    return sum(1 for a, b in zip(left, right, strict=True) if a == b) / len(left)


def groups(signatures: Sequence[tuple[int, ...]], *, threshold: float = 0.5) -> list[list[int]]:
    """Indexes of ``signatures`` grouped transitively by similarity ≥ ``threshold``, largest first."""
    parent = list(range(len(signatures)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    empty = (_MAX,) * PERMUTATIONS
    for band in range(BANDS):
        buckets: dict[tuple[int, ...], list[int]] = defaultdict(list)
        for index, sig in enumerate(signatures):
            if sig != empty:
                buckets[sig[band * ROWS : (band + 1) * ROWS]].append(index)
        for members in buckets.values():
            first = members[0]
            for other in members[1:]:
                a, b = root(first), root(other)
                if a != b and similarity(signatures[first], signatures[other]) >= threshold:
                    parent[b] = a
    grouped: dict[int, list[int]] = defaultdict(list)
    for index in range(len(signatures)):
        grouped[root(index)].append(index)
    return sorted(grouped.values(), key=lambda g: (-len(g), g[0]))
