// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity 0.8.37;

/// @title IEpochRoots: finalised epoch roots, as a margin gate reads them
/// @notice Implemented by SolvencyRegistry (proofs verified on this chain) and RootMirror (roots relayed).
interface IEpochRoots {
    /// @notice The account root and parameter hash of a finalised epoch, and when it was finalised.
    /// @param epochId The epoch.
    /// @return root The epoch's account root (0 if the epoch is not final here).
    /// @return paramsHash The epoch's parameter hash (0 if not final).
    /// @return finalizedAt The finalisation time on the source chain, in seconds (0 if not final).
    function finalizedEpoch(uint64 epochId)
        external
        view
        returns (uint256 root, uint256 paramsHash, uint64 finalizedAt);

    /// @notice The most recent finalised epoch.
    /// @return epochId Its id; 0 while no epoch is final.
    function latestFinalizedEpoch() external view returns (uint64 epochId);
}
