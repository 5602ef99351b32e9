// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity 0.8.37;

import {IPoseidon} from "./IPoseidon.sol";

/// @title QuadFrontier: a 4-ary Poseidon tree filled left to right, keeping only its right edge
/// @notice Nodes are Poseidon(4) of their children (docs/statement.md 5.6). Leaves are inserted at
///         positions 0, 1, 2, ...; a group of four is hashed when its last node arrives, so an insert
///         costs a Poseidon(4) every fourth leaf (two every sixteenth, ...). The root of a partly
///         filled tree completes each unfinished group with empty subtree roots, as verifier/tree.py does.
library QuadFrontier {
    /// @notice The tree has no room for another leaf.
    error QuadFrontier__Full();

    /// @notice The right edge of the tree.
    /// @param pending Per height, the complete nodes of the group being filled (positions 0..2).
    /// @param full The root, once every position is filled.
    struct Tree {
        uint256[3][16] pending;
        uint256 full;
    }

    /// @notice Writes a non-zero filler into every slot used at `height` levels, so that inserts later
    ///         overwrite non-zero storage (cheaper than writing a fresh slot).
    /// @param tree The tree.
    /// @param height The levels above the leaves.
    function prime(Tree storage tree, uint256 height) internal {
        for (uint256 h = 0; h < height; ++h) {
            tree.pending[h] = [uint256(1), 1, 1];
        }
        tree.full = 1;
    }

    /// @notice Places `leaf` at position `index`; every earlier position must be filled already.
    /// @param tree The tree.
    /// @param node Poseidon(4).
    /// @param height The levels above the leaves.
    /// @param index The leaf's position.
    /// @param leaf The leaf.
    function insert(Tree storage tree, IPoseidon node, uint256 height, uint256 index, uint256 leaf) internal {
        if (index >> (2 * height) != 0) revert QuadFrontier__Full();
        for (uint256 h = 0; h < height; ++h) {
            uint256 position = index & 3;
            if (position < 3) {
                tree.pending[h][position] = leaf;
                return;
            }
            uint256[3] storage group = tree.pending[h];
            leaf = _hash(node, group[0], group[1], group[2], leaf);
            index >>= 2;
        }
        tree.full = leaf;
    }

    /// @notice The root after `count` leaves, the rest of the positions empty.
    /// @param tree The tree.
    /// @param node Poseidon(4).
    /// @param height The levels above the leaves.
    /// @param count The number of leaves inserted, at least 1.
    /// @param empty Per height, the root of an empty subtree whose root sits at that height.
    /// @return root The root.
    function root(Tree storage tree, IPoseidon node, uint256 height, uint256 count, uint256[] memory empty)
        internal
        view
        returns (uint256)
    {
        if (count >> (2 * height) != 0) return tree.full;
        uint256 carry;
        bool carrying;
        for (uint256 h = 0; h < height; ++h) {
            uint256 complete = count & 3;
            if (complete != 0 || carrying) {
                uint256[4] memory group = [empty[h], empty[h], empty[h], empty[h]];
                for (uint256 i = 0; i < complete; ++i) {
                    group[i] = tree.pending[h][i];
                }
                if (carrying) group[complete] = carry;
                carry = _hash(node, group[0], group[1], group[2], group[3]);
                carrying = true;
            }
            count >>= 2;
        }
        return carry;
    }

    /// @notice Poseidon(4)(a, b, c, d): a tree node.
    /// @param node Poseidon(4).
    /// @param a First child.
    /// @param b Second child.
    /// @param c Third child.
    /// @param d Fourth child.
    /// @return The node.
    function _hash(IPoseidon node, uint256 a, uint256 b, uint256 c, uint256 d) private view returns (uint256) {
        uint256[] memory children = new uint256[](4);
        (children[0], children[1], children[2], children[3]) = (a, b, c, d);
        return node.hash(children);
    }
}
