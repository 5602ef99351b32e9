"""Quaternary Poseidon Merkle trees of fixed depth; empty subtrees hash to known constants.

A node is Poseidon(5)(NODE_DOMAIN, child0, child1, child2, child3); an empty leaf is 0.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from .field import NODE_DOMAIN
from .poseidon import poseidon

ARITY = 4


def node_hash(children: Sequence[int]) -> int:
    """A tree node over its four children."""
    return poseidon([NODE_DOMAIN, *children])


@cache
def empty_root(levels: int) -> int:
    """Root of a subtree of 4^levels empty leaves (an empty leaf is 0)."""
    return 0 if levels == 0 else node_hash([empty_root(levels - 1)] * ARITY)


def parent_level(nodes: Sequence[int], levels_below: int) -> list[int]:
    """The level above `nodes`, completing a partial last group with empty subtrees."""
    filler = empty_root(levels_below)
    padded = list(nodes) + [filler] * (-len(nodes) % ARITY)
    return [node_hash(padded[i : i + ARITY]) for i in range(0, len(padded), ARITY)]


def root_of(leaves: Sequence[int], depth: int, base_level: int = 0) -> int:
    """Root of a depth-`depth` tree whose first nodes at `base_level` are `leaves`, the rest empty."""
    if len(leaves) > ARITY ** (depth - base_level):
        raise ValueError(f"{len(leaves)} nodes do not fit a tree of depth {depth - base_level}")
    nodes = list(leaves) or [empty_root(base_level)]
    for level in range(base_level, depth):
        nodes = parent_level(nodes, level)
    return nodes[0]


@dataclass(frozen=True)
class MerklePath:
    """Siblings of a node from the bottom up, three per level, in the order of their positions."""

    index: int
    siblings: tuple[tuple[int, int, int], ...]

    def positions(self) -> list[int]:
        """The node's position (0..3) among its siblings at each level, bottom up."""
        return [(self.index >> (2 * level)) & 3 for level in range(len(self.siblings))]

    def root(self, leaf: int) -> int:
        """The root this path leads to from `leaf`."""
        node = leaf
        for position, siblings in zip(self.positions(), self.siblings, strict=True):
            children = list(siblings)
            children.insert(position, node)
            node = node_hash(children)
        return node


class QuadTree:
    """All levels of a fixed-depth tree over `leaves` (the rest empty), for paths."""

    def __init__(self, leaves: Sequence[int], depth: int) -> None:
        if len(leaves) > ARITY**depth:
            raise ValueError(f"{len(leaves)} leaves do not fit a tree of depth {depth}")
        self.depth = depth
        self.levels: list[list[int]] = [list(leaves)]
        for level in range(depth):
            self.levels.append(parent_level(self.levels[-1], level))

    @property
    def root(self) -> int:
        """The tree's root."""
        return self.levels[-1][0] if self.levels[-1] else empty_root(self.depth)

    def path(self, index: int) -> MerklePath:
        """The path of leaf `index`."""
        siblings = []
        for level in range(self.depth):
            position = (index >> (2 * level)) & 3
            group = index >> (2 * level + 2) << 2
            nodes = self.levels[level]
            row = [nodes[i] if i < len(nodes) else empty_root(level) for i in range(group, group + ARITY)]
            del row[position]
            siblings.append((row[0], row[1], row[2]))
        return MerklePath(index, tuple(siblings))
