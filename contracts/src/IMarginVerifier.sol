// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity 0.8.37;

/// @title IMarginVerifier: the Groth16 verifier of the account margin circuit (six public inputs)
/// @notice What contracts/generated/*MarginVerifier.sol exposes (groth16py's "bytes" style); the proof is the
///         256-byte layout of IProofVerifier.
interface IMarginVerifier {
    /// @notice Checks the pairing equation of `proof` against `input` under the verifier's key.
    /// @param proof The 256-byte proof.
    /// @param input root, paramsHash, threshold, binding, scope, nullifier; each below r.
    /// @return valid True when the proof verifies; malformed proofs may revert instead.
    function verifyProof(bytes memory proof, uint256[6] memory input) external view returns (bool valid);
}
