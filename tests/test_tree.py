"""Quaternary Merkle tree: roots, paths and empty subtrees agree."""

import pytest

from zksolvency.verifier.field import NODE_DOMAIN
from zksolvency.verifier.poseidon import hash_vector, poseidon
from zksolvency.verifier.tree import QuadTree, empty_root, root_of


def test_paths_lead_to_the_root() -> None:
    leaves = [poseidon([i + 1]) for i in range(21)]
    tree = QuadTree(leaves, depth=3)
    assert tree.root == root_of(leaves, 3)
    for index in (0, 3, 4, 20):
        assert tree.path(index).root(leaves[index]) == tree.root
    assert tree.path(5).root(leaves[4]) != tree.root


def test_root_from_subtree_roots_equals_root_from_leaves() -> None:
    leaves = [poseidon([i + 7]) for i in range(40)]
    subtrees = [root_of(leaves[i : i + 16], 2) for i in range(0, 48, 16)]
    assert root_of(subtrees, depth=4, base_level=2) == root_of(leaves, 4)


def test_empty_tree() -> None:
    node = poseidon([NODE_DOMAIN, *[0] * 4])
    assert root_of([], 2) == empty_root(2) == poseidon([NODE_DOMAIN, *[node] * 4])


def test_overfull_tree_is_refused() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        root_of([1] * 17, 2)


def test_hash_vector_chains_past_twelve() -> None:
    values = list(range(1, 25))
    expected = poseidon([poseidon([poseidon(values[:12]), *values[12:23]]), values[23]])
    assert hash_vector(values) == expected
