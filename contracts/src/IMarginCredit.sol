// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity 0.8.37;

/// @title IMarginCredit: free-collateral credit granted against account margin proofs
interface IMarginCredit {
    /// @notice The credit of `account`: the threshold it proved, while its epoch is fresh.
    /// @param account The address the proof was bound to.
    /// @return amount Free collateral proven, in USD * 1e8; 0 once the epoch is older than the maximum age.
    /// @return epoch The epoch of the proof; 0 if the account never claimed.
    function creditOf(address account) external view returns (uint256 amount, uint64 epoch);
}
