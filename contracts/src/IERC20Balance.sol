// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity 0.8.37;

/// @title IERC20Balance: the part of ERC-20 the registry reads
interface IERC20Balance {
    /// @notice The token's balance of `holder`.
    /// @param holder The address.
    /// @return Its balance in base units.
    function balanceOf(address holder) external view returns (uint256);

    /// @notice Base-unit decimals of the token.
    /// @return Decimals.
    function decimals() external view returns (uint8);
}
