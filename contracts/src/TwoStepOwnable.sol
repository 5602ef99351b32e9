// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity 0.8.37;

/// @title TwoStepOwnable: an owner that hands over in two steps (propose, then accept)
abstract contract TwoStepOwnable {
    /// @notice The current owner.
    address public owner;
    /// @notice The proposed owner, until it accepts; address(0) when none.
    address public pendingOwner;

    /// @notice The owner proposed `newOwner`.
    /// @param previousOwner The owner that proposed.
    /// @param newOwner The proposed owner.
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    /// @notice Ownership moved (at deployment previousOwner is address(0)).
    /// @param previousOwner The former owner.
    /// @param newOwner The new owner.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice Only the owner may call this.
    /// @param caller The caller.
    error TwoStepOwnable__NotOwner(address caller);
    /// @notice Only the proposed owner may accept.
    /// @param caller The caller.
    error TwoStepOwnable__NotPendingOwner(address caller);
    /// @notice The owner cannot be address(0).
    error TwoStepOwnable__ZeroOwner();

    /// @notice Restricts a function to the owner.
    modifier onlyOwner() {
        if (msg.sender != owner) revert TwoStepOwnable__NotOwner(msg.sender);
        _;
    }

    /// @notice Sets the first owner.
    /// @param initialOwner The owner.
    constructor(address initialOwner) {
        if (initialOwner == address(0)) revert TwoStepOwnable__ZeroOwner();
        owner = initialOwner;
        emit OwnershipTransferred(address(0), initialOwner);
    }

    /// @notice Proposes `newOwner`; it takes over when it calls acceptOwnership. address(0) cancels.
    /// @param newOwner The proposed owner.
    function transferOwnership(address newOwner) external onlyOwner {
        pendingOwner = newOwner;
        emit OwnershipTransferStarted(msg.sender, newOwner);
    }

    /// @notice The proposed owner takes over.
    function acceptOwnership() external {
        if (msg.sender != pendingOwner || msg.sender == address(0)) revert TwoStepOwnable__NotPendingOwner(msg.sender);
        emit OwnershipTransferred(owner, msg.sender);
        owner = msg.sender;
        pendingOwner = address(0);
    }
}
