"""Quaternary Merkle tree: roots, paths and empty subtrees agree."""

import pytest

from zksolvency.verifier.account import Account
from zksolvency.verifier.field import LEAF_DOMAIN, NODE_DOMAIN, STATE_DOMAIN
from zksolvency.verifier.leaf import leaf_hash, leaf_preimage
from zksolvency.verifier.poseidon import hash_vector, poseidon
from zksolvency.verifier.profiles import PROFILES
from zksolvency.verifier.state import ChainState
from zksolvency.verifier.tree import QuadTree, empty_root, node_hash, root_of


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


def test_a_leaf_does_not_open_as_a_node_nor_a_node_as_a_leaf() -> None:
    """Leaves, nodes and states hash in distinct domains, even where a leaf has five elements like a node."""
    profile = PROFILES["ci"]  # 3 assets, 2 markets, 2 series: key, salt and 3 packed elements, like a node's
    account = Account(7, 0, (5, 0, 0), (0, 0), (0, 0))
    preimage = leaf_preimage(account, 11, profile)
    assert len(preimage) == 5
    leaf = leaf_hash(account, 11, profile)
    assert node_hash(preimage[1:]) != leaf and preimage[0] != NODE_DOMAIN  # the leaf's opening read as a node
    tree = QuadTree([leaf, 1, 2, 3], depth=1)
    children = [leaf, 1, 2, 3]
    assert tree.root == node_hash(children) != hash_vector(children)  # the node's children read as a leaf
    assert preimage[0] >> 64 == LEAF_DOMAIN and ChainState.genesis(profile).vector[0] == STATE_DOMAIN
