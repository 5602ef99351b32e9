// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity 0.8.37;

/// @title IProofVerifier: a Groth16 verifier with five public inputs
/// @notice What contracts/generated/*Verifier.sol expose (groth16py's "bytes" style): the proof is the
///         256-byte Ethereum layout A.x A.y B.x.c1 B.x.c0 B.y.c1 B.y.c0 C.x C.y (verifier/groth16.py).
interface IProofVerifier {
    /// @notice Checks the pairing equation of `proof` against `input` under the verifier's key.
    /// @param proof The 256-byte proof.
    /// @param input The public inputs, each below r.
    /// @return valid True when the proof verifies; malformed proofs may revert instead.
    function verifyProof(bytes memory proof, uint256[5] memory input) external view returns (bool valid);
}
