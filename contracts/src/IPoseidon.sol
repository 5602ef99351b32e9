// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity 0.8.37;

/// @title IPoseidon: circomlib Poseidon over BN254 with a fixed number of inputs
/// @notice One contract per width; contracts/generated/PoseidonN.sol implements it for N inputs.
interface IPoseidon {
    /// @notice The number of inputs this contract hashes (circomlib's Poseidon(n); width t = n + 1).
    /// @return n The number of field elements `hash` takes.
    function inputs() external view returns (uint256 n);

    /// @notice circomlib Poseidon(n) of `input`; reverts unless it has exactly n elements, each below r.
    /// @param input The field elements to hash.
    /// @return out The hash, a field element.
    function hash(uint256[] calldata input) external view returns (uint256 out);
}
