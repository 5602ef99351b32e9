// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity 0.8.37;

/// @title DemoToken: a minimal ERC-20 for the tests and the demo (not an asset of any value)
/// @notice The deployer mints at will; everything else is plain ERC-20.
contract DemoToken {
    /// @notice Token name.
    string public name;
    /// @notice Token symbol.
    string public symbol;
    /// @notice Base-unit decimals.
    uint8 public immutable decimals;
    /// @notice The only address that mints.
    address public immutable minter;
    /// @notice Tokens in existence.
    uint256 public totalSupply;
    /// @notice Balances.
    mapping(address holder => uint256) public balanceOf;
    /// @notice Allowances.
    mapping(address holder => mapping(address spender => uint256)) public allowance;

    /// @notice ERC-20 Transfer.
    /// @param from Sender (address(0) when minted).
    /// @param to Recipient.
    /// @param value Amount.
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// @notice ERC-20 Approval.
    /// @param owner Holder.
    /// @param spender Spender.
    /// @param value Allowance.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice Only the minter mints.
    error DemoToken__NotMinter();
    /// @notice Balance or allowance too low.
    error DemoToken__Insufficient();

    /// @param name_ Name.
    /// @param symbol_ Symbol.
    /// @param decimals_ Decimals.
    constructor(string memory name_, string memory symbol_, uint8 decimals_) {
        (name, symbol, decimals, minter) = (name_, symbol_, decimals_, msg.sender);
    }

    /// @notice Mints `value` to `to`.
    /// @param to Recipient.
    /// @param value Amount.
    function mint(address to, uint256 value) external {
        if (msg.sender != minter) revert DemoToken__NotMinter();
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }

    /// @notice ERC-20 transfer.
    /// @param to Recipient.
    /// @param value Amount.
    /// @return Always true.
    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    /// @notice ERC-20 approve.
    /// @param spender Spender.
    /// @param value Allowance.
    /// @return Always true.
    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @notice ERC-20 transferFrom.
    /// @param from Holder.
    /// @param to Recipient.
    /// @param value Amount.
    /// @return Always true.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < value) revert DemoToken__Insufficient();
        allowance[from][msg.sender] = allowed - value;
        _move(from, to, value);
        return true;
    }

    function _move(address from, address to, uint256 value) private {
        if (balanceOf[from] < value) revert DemoToken__Insufficient();
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
