// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity 0.8.37;

import {IPoseidon} from "./IPoseidon.sol";

/// @title QuadFrontier: a 4-ary Poseidon tree filled left to right, keeping only its right edge
/// @notice Nodes are Poseidon(5) of NODE_DOMAIN and their children (docs/statement.md 5.6). Leaves are appended at
///         positions 0, 1, 2, ... without hashing; `fold` hashes a complete group of four leaves into
///         the level above (and any group that completes there, and so on up), in a transaction of its
///         own, so that appending stays cheap. The root of a partly filled tree completes each
///         unfinished group with empty subtree roots, as verifier/tree.py does.
library QuadFrontier {
    /// @notice The tree-node hash domain: the ASCII bytes of "zksolvency/node" (verifier/field.py).
    uint256 internal constant NODE_DOMAIN = 0x7a6b736f6c76656e63792f6e6f6465;

    /// @notice The tree has no room for another leaf.
    error QuadFrontier__Full();

    /// @notice The right edge of the tree.
    /// @param pending Per height, the nodes of the group being filled (a group of leaves is complete
    ///        until it is folded; above the leaves, positions 0..2 of the unfinished group).
    /// @param full The root, once every position is filled.
    struct Tree {
        uint256[4][16] pending;
        uint256 full;
    }

    /// @notice Writes a non-zero filler into every slot used at `height` levels, so that later writes
    ///         overwrite non-zero storage (cheaper than writing a fresh slot).
    /// @param tree The tree.
    /// @param height The levels above the leaves.
    function prime(Tree storage tree, uint256 height) internal {
        for (uint256 h = 0; h < height; ++h) {
            tree.pending[h] = [uint256(1), 1, 1, 1];
        }
        tree.full = 1;
    }

    /// @notice Places `leaf` at position `index`; the caller makes sure that every earlier position is
    ///         filled and that the group before `index`'s group is folded.
    /// @param tree The tree.
    /// @param height The levels above the leaves.
    /// @param index The leaf's position.
    /// @param leaf The leaf.
    function append(Tree storage tree, uint256 height, uint256 index, uint256 leaf) internal {
        if (index >> (2 * height) != 0) revert QuadFrontier__Full();
        tree.pending[0][index & 3] = leaf;
    }

    /// @notice Hashes the complete group of leaves number `group` (leaves 4 * group .. 4 * group + 3,
    ///         the last appended) into the level above, hashing on up while groups complete there.
    /// @param tree The tree.
    /// @param node Poseidon(5).
    /// @param height The levels above the leaves.
    /// @param group The group's number.
    function fold(Tree storage tree, IPoseidon node, uint256 height, uint256 group) internal {
        uint256[4] storage leaves = tree.pending[0];
        uint256 value = _hash(node, leaves[0], leaves[1], leaves[2], leaves[3]);
        uint256 index = group;
        for (uint256 h = 1; h < height; ++h) {
            uint256 position = index & 3;
            if (position < 3) {
                tree.pending[h][position] = value;
                return;
            }
            uint256[4] storage siblings = tree.pending[h];
            value = _hash(node, siblings[0], siblings[1], siblings[2], value);
            index >>= 2;
        }
        tree.full = value;
    }

    /// @notice The root after `count` leaves, every complete group of leaves folded, the rest empty.
    /// @param tree The tree.
    /// @param node Poseidon(5).
    /// @param height The levels above the leaves.
    /// @param count The number of leaves appended, at least 1.
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

    /// @notice Poseidon(5)(NODE_DOMAIN, a, b, c, d): a tree node (docs/statement.md 5.6 and 5.9).
    /// @param node Poseidon(5).
    /// @param a First child.
    /// @param b Second child.
    /// @param c Third child.
    /// @param d Fourth child.
    /// @return The node.
    function _hash(IPoseidon node, uint256 a, uint256 b, uint256 c, uint256 d) private view returns (uint256) {
        uint256[] memory children = new uint256[](5);
        (children[0], children[1], children[2], children[3], children[4]) = (NODE_DOMAIN, a, b, c, d);
        return node.hash(children);
    }
}
