// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity 0.8.37;

import {IPoseidon} from "./IPoseidon.sol";

/// @title PoseidonVector: HashVector of docs/statement.md section 5.2
/// @notice n <= 12: Poseidon(n)(v). n > 12: h = Poseidon(12)(v[0..11]), then h = Poseidon(1 + |c|)(h, c)
///         for each next chunk c of at most 11 elements. `head` hashes min(n, 12) inputs; `tail` hashes
///         the last chunk when it is shorter than 11 (every full chunk goes to `head`).
library PoseidonVector {
    /// @notice The width `tail` must have for vectors of length n: 0 when no tail is needed.
    /// @param n The vector length.
    /// @return inputs The number of inputs of the tail hasher, or 0.
    function tailInputs(uint256 n) internal pure returns (uint256 inputs) {
        if (n <= 12 || (n - 12) % 11 == 0) return 0;
        return 1 + (n - 12) % 11;
    }

    /// @notice HashVector(v).
    /// @param head Poseidon(min(n, 12)).
    /// @param tail Poseidon(tailInputs(n)), unused when that is 0.
    /// @param v The vector.
    /// @return h The hash.
    function hashVector(IPoseidon head, IPoseidon tail, uint256[] memory v) internal view returns (uint256 h) {
        uint256 n = v.length;
        if (n <= 12) return head.hash(v);
        uint256[] memory chunk = new uint256[](12);
        for (uint256 i = 0; i < 12; ++i) {
            chunk[i] = v[i];
        }
        h = head.hash(chunk);
        for (uint256 pos = 12; pos < n; pos += 11) {
            uint256 size = n - pos < 11 ? n - pos : 11;
            uint256[] memory next = new uint256[](size + 1);
            next[0] = h;
            for (uint256 i = 0; i < size; ++i) {
                next[i + 1] = v[pos + i];
            }
            h = (size == 11 ? head : tail).hash(next);
        }
    }
}
