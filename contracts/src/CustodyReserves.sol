// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity 0.8.37;

import {IERC20Balance} from "./IERC20Balance.sol";
import {TwoStepOwnable} from "./TwoStepOwnable.sol";

/// @title CustodyReserves: the venue's custody addresses on this chain, and the reserves they prove
/// @notice The venue registers each custody address for an asset slot and a token (address(0): the native
///         coin) with that address's own signature, or proposes it and the address accepts by a call. At finalisation the registry
///         reads every registered balance itself (proveReserves), sums them per asset in quanta, records
///         the sums and refuses to finalise an asset it can see whose proven reserves do not cover its net
///         liabilities. Assets with no custody here stay declared only (docs/contracts.md).
abstract contract CustodyReserves is TwoStepOwnable {
    /// @notice A registered custody holding.
    /// @param holder The custody address.
    /// @param token The ERC-20 token, or address(0) for the native coin.
    /// @param asset The asset slot it counts for.
    /// @param decimals The token's decimals (18 for the native coin).
    struct Custody {
        address holder;
        address token;
        uint8 asset;
        uint8 decimals;
    }

    /// @notice At most this many holdings, so that finalize's balance reads stay bounded.
    uint256 public constant MAX_CUSTODY = 32;
    /// @notice Amounts in the statement are quanta: 10^-8 units.
    uint256 private constant QUANTA_DECIMALS = 8;
    /// @notice Domain tag of the message a custody address signs.
    bytes32 public constant CUSTODY_TAG = keccak256("zksolvency custody registration");

    Custody[] private custody;
    mapping(bytes32 holding => bool) private proposed;
    mapping(uint64 epochId => uint256[]) private proven;
    mapping(uint64 epochId => uint256) private provenMask;

    /// @notice A custody holding was registered.
    /// @param holder The custody address.
    /// @param asset The asset slot.
    /// @param token The token (address(0): native coin).
    event CustodyAdded(address indexed holder, uint8 asset, address token);
    /// @notice The venue proposed a holding; the holder accepts it by calling acceptCustody.
    /// @param holder The custody address.
    /// @param asset The asset slot.
    /// @param token The token (address(0): native coin).
    event CustodyProposed(address indexed holder, uint8 asset, address token);
    /// @notice A custody holding was removed.
    /// @param holder The custody address.
    /// @param asset The asset slot.
    /// @param token The token.
    event CustodyRemoved(address indexed holder, uint8 asset, address token);
    /// @notice Reserves read from the chain at finalisation.
    /// @param epochId The epoch.
    /// @param proven Per asset slot, the sum of the custody balances in quanta.
    /// @param liabilities Per asset slot, the net liabilities max(equity - debt, 0) they cover, in quanta.
    /// @param seenMask Bit i set when asset slot i has custody on this chain.
    event ReservesProven(uint64 indexed epochId, uint256[] proven, uint256[] liabilities, uint256 seenMask);

    /// @notice The asset slot is not one of the profile's.
    /// @param asset The slot.
    error CustodyReserves__BadAsset(uint8 asset);
    /// @notice The holding is registered already.
    /// @param holder The address.
    /// @param token The token.
    error CustodyReserves__Duplicate(address holder, address token);
    /// @notice MAX_CUSTODY holdings are registered already.
    error CustodyReserves__TooMany();
    /// @notice The signature is not the holder's over the registration message.
    /// @param holder The address that should have signed.
    error CustodyReserves__BadSignature(address holder);
    /// @notice The token does not answer decimals() or balanceOf().
    /// @param token The token.
    error CustodyReserves__BadToken(address token);
    /// @notice The venue has not proposed this holding for the caller.
    /// @param holder The caller.
    /// @param asset The asset slot.
    /// @param token The token.
    error CustodyReserves__NotProposed(address holder, uint8 asset, address token);
    /// @notice No holding at this index.
    /// @param index The index.
    error CustodyReserves__NoSuchCustody(uint256 index);
    /// @notice Proven reserves below the net liabilities equity - debt of an asset seen on this chain.
    /// @param asset The asset slot.
    /// @param proven The reserves read from the chain, in quanta.
    /// @param liabilities equity - debt.
    error CustodyReserves__ProvenReservesShort(uint256 asset, uint256 proven, uint256 liabilities);

    /// @notice The message hash `holder` signs (EIP-191 personal_sign of these 32 bytes) to be registered.
    /// @param holder The custody address.
    /// @param asset The asset slot.
    /// @param token The token (address(0): native coin).
    /// @return The 32-byte digest: bound to this chain, this registry, the holder, the asset and the token.
    function custodyDigest(address holder, uint8 asset, address token) public view returns (bytes32) {
        return keccak256(abi.encode(CUSTODY_TAG, block.chainid, address(this), holder, asset, token));
    }

    /// @notice Registers `holder` as custody of `asset` in `token`: by the venue with the holder's
    ///         signature of custodyDigest, or by the holder itself when it is the venue (empty signature).
    /// @param holder The custody address.
    /// @param asset The asset slot.
    /// @param token The ERC-20 token, or address(0) for the native coin.
    /// @param signature The holder's 65-byte EIP-191 signature of custodyDigest (empty if holder calls).
    function addCustody(address holder, uint8 asset, address token, bytes calldata signature) external onlyOwner {
        if (!(signature.length == 0 && holder == msg.sender)) {
            _checkSignature(holder, custodyDigest(holder, asset, token), signature);
        }
        _add(holder, asset, token);
    }

    /// @notice Proposes `holder` as custody of `asset` in `token`; it counts once the holder calls
    ///         acceptCustody (for holders that cannot sign, such as multisig contracts).
    /// @param holder The custody address.
    /// @param asset The asset slot.
    /// @param token The ERC-20 token, or address(0) for the native coin.
    function proposeCustody(address holder, uint8 asset, address token) external onlyOwner {
        proposed[keccak256(abi.encode(holder, asset, token))] = true;
        emit CustodyProposed(holder, asset, token);
    }

    /// @notice The holder accepts the venue's proposal: a registration by a call from the address itself.
    /// @param asset The asset slot proposed.
    /// @param token The token proposed.
    function acceptCustody(uint8 asset, address token) external {
        bytes32 key = keccak256(abi.encode(msg.sender, asset, token));
        if (!proposed[key]) revert CustodyReserves__NotProposed(msg.sender, asset, token);
        delete proposed[key];
        _add(msg.sender, asset, token);
    }

    /// @notice Removes the holding at `index` (the last one takes its place).
    /// @param index Its index in custodyList().
    function removeCustody(uint256 index) external onlyOwner {
        if (index >= custody.length) revert CustodyReserves__NoSuchCustody(index);
        Custody memory gone = custody[index];
        custody[index] = custody[custody.length - 1];
        custody.pop();
        emit CustodyRemoved(gone.holder, gone.asset, gone.token);
    }

    /// @notice Every registered holding.
    /// @return The holdings.
    function custodyList() external view returns (Custody[] memory) {
        return custody;
    }

    /// @notice What finalisation read for an epoch.
    /// @param epochId The epoch.
    /// @return amounts Per asset slot, the proven reserves in quanta (empty before finalisation).
    /// @return seenMask Bit i set when asset slot i had custody on this chain.
    function provenReserves(uint64 epochId) external view returns (uint256[] memory amounts, uint256 seenMask) {
        return (proven[epochId], provenMask[epochId]);
    }

    /// @notice Reads every custody balance, records the sums per asset for `epochId` and reverts for an
    ///         asset seen on this chain whose sum is below equity - debt (nothing when no custody is
    ///         registered).
    /// @param epochId The epoch being finalised.
    /// @param totals equity[A], debt[A], ... as opened at finalisation.
    /// @param assets A, the number of asset slots.
    function _proveReserves(uint64 epochId, uint256[] calldata totals, uint256 assets) internal {
        if (custody.length == 0) return; // nothing on this chain to read: the declared reserves stand alone
        uint256[] memory sums = new uint256[](assets);
        uint256[] memory owed = new uint256[](assets);
        uint256 mask = 0;
        for (uint256 i = 0; i < custody.length; ++i) {
            Custody memory c = custody[i];
            sums[c.asset] += _toQuanta(_balance(c), c.decimals);
            mask |= 1 << c.asset;
        }
        for (uint256 i = 0; i < assets; ++i) {
            (uint256 equity, uint256 debt) = (totals[i], totals[assets + i]);
            if (equity > debt) owed[i] = equity - debt;
            if (mask & (1 << i) != 0 && owed[i] > sums[i]) {
                revert CustodyReserves__ProvenReservesShort(i, sums[i], owed[i]);
            }
        }
        proven[epochId] = sums;
        provenMask[epochId] = mask;
        emit ReservesProven(epochId, sums, owed, mask);
    }

    /// @notice Asset slots of the profile (the registry's A).
    /// @return A.
    function _assetSlots() internal view virtual returns (uint256);

    function _add(address holder, uint8 asset, address token) private {
        if (asset >= _assetSlots()) revert CustodyReserves__BadAsset(asset);
        if (custody.length >= MAX_CUSTODY) revert CustodyReserves__TooMany();
        for (uint256 i = 0; i < custody.length; ++i) {
            if (custody[i].holder == holder && custody[i].token == token) {
                revert CustodyReserves__Duplicate(holder, token);
            }
        }
        uint8 decimals = 18;
        if (token != address(0)) {
            if (token.code.length == 0) revert CustodyReserves__BadToken(token);
            try IERC20Balance(token).decimals() returns (uint8 d) {
                decimals = d;
            } catch {
                revert CustodyReserves__BadToken(token);
            }
        }
        custody.push(Custody(holder, token, asset, decimals));
        emit CustodyAdded(holder, asset, token);
    }

    function _balance(Custody memory c) private view returns (uint256) {
        if (c.token == address(0)) return c.holder.balance;
        try IERC20Balance(c.token).balanceOf(c.holder) returns (uint256 b) {
            return b;
        } catch {
            revert CustodyReserves__BadToken(c.token);
        }
    }

    function _toQuanta(uint256 amount, uint8 decimals) private pure returns (uint256) {
        if (decimals >= QUANTA_DECIMALS) return amount / 10 ** (decimals - QUANTA_DECIMALS);
        return amount * 10 ** (QUANTA_DECIMALS - decimals);
    }

    function _checkSignature(address holder, bytes32 digest, bytes calldata signature) private pure {
        if (signature.length != 65) revert CustodyReserves__BadSignature(holder);
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (v < 27) v += 27;
        // EIP-2: only low-s signatures, so that a signature has one form.
        if (uint256(s) > 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0) {
            revert CustodyReserves__BadSignature(holder);
        }
        bytes32 signed = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", digest));
        address signer = ecrecover(signed, v, r, s);
        if (signer == address(0) || signer != holder) revert CustodyReserves__BadSignature(holder);
    }
}
