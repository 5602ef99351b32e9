// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity 0.8.37;

import {IEpochRoots} from "./IEpochRoots.sol";
import {IMarginCredit} from "./IMarginCredit.sol";
import {IMarginVerifier} from "./IMarginVerifier.sol";

/// @title MarginGate: free-collateral credit against account margin proofs
/// @notice A trader proves (circuits/account_margin.circom) that an account under a finalised epoch root
///         has free collateral of at least `threshold` USD * 1e8, bound to msg.sender on this chain. The
///         gate takes the epoch's root and parameter hash from a registry it trusts, computes the binding
///         and its own scope (this gate on this chain) itself, spends the proof's nullifier for that epoch
///         and records the credit. A nullifier is scoped to one gate: the same record proven for another
///         gate gives an unrelated nullifier, and a proof made for another gate is refused here.
contract MarginGate is IMarginCredit {
    /// @notice A credit: the proven threshold, its epoch and until when it counts.
    /// @param amount The threshold, USD * 1e8 (below 2^64: the circuit range-checks it).
    /// @param epoch The epoch of the proof.
    /// @param expiresAt The epoch's finalisation time plus MAX_AGE.
    struct Credit {
        uint64 amount;
        uint64 epoch;
        uint64 expiresAt;
    }

    /// @notice Where finalised epoch roots come from.
    IEpochRoots public immutable REGISTRY;
    /// @notice The generated verifier of the account margin circuit's key.
    IMarginVerifier public immutable MARGIN_VERIFIER;
    /// @notice How long after its finalisation an epoch is accepted, in seconds.
    uint64 public immutable MAX_AGE;

    /// @notice Per epoch, the nullifiers spent (one credit per venue record per epoch at this gate).
    mapping(uint64 epochId => mapping(uint256 nullifier => bool)) public nullifierUsed;
    mapping(address account => Credit) private credits;

    /// @notice A margin proof verified and `account` was credited.
    /// @param account msg.sender, the address the proof is bound to.
    /// @param epochId The epoch.
    /// @param amount The threshold proven, USD * 1e8.
    /// @param nullifier The nullifier spent.
    event CreditGranted(address indexed account, uint64 indexed epochId, uint256 amount, uint256 nullifier);

    /// @notice The registry has no final epoch of that id.
    /// @param epochId The epoch.
    error MarginGate__EpochNotFinal(uint64 epochId);
    /// @notice The epoch is older than MAX_AGE.
    /// @param epochId The epoch.
    /// @param finalizedAt Its finalisation time.
    error MarginGate__EpochStale(uint64 epochId, uint64 finalizedAt);
    /// @notice The proof is about another root than the epoch's.
    /// @param expected The epoch's root.
    /// @param given The proof's.
    error MarginGate__RootMismatch(uint256 expected, uint256 given);
    /// @notice The proof carries another parameter hash than the epoch's.
    /// @param expected The epoch's.
    /// @param given The proof's.
    error MarginGate__ParamsHashMismatch(uint256 expected, uint256 given);
    /// @notice The proof is bound to another chain.
    /// @param chainId The chain in the proof's binding.
    error MarginGate__BoundToOtherChain(uint256 chainId);
    /// @notice The proof is bound to another address than msg.sender.
    /// @param recipient The address in the proof's binding.
    error MarginGate__BoundToOtherSender(address recipient);
    /// @notice The proof's nullifier is scoped to another gate or chain.
    /// @param scope The scope in the proof: gate + chainId << 160.
    error MarginGate__ScopedToOtherGate(uint256 scope);
    /// @notice This nullifier was spent for this epoch already.
    /// @param epochId The epoch.
    /// @param nullifier The nullifier.
    error MarginGate__NullifierUsed(uint64 epochId, uint256 nullifier);
    /// @notice msg.sender holds a credit from a later epoch.
    /// @param epochId The proof's epoch.
    /// @param creditEpoch The epoch of the current credit.
    error MarginGate__OlderThanCredit(uint64 epochId, uint64 creditEpoch);
    /// @notice The margin proof does not verify.
    error MarginGate__InvalidProof();

    /// @notice Deploys a gate over one registry.
    /// @param registry The registry (or root mirror) whose final epochs the gate accepts.
    /// @param marginVerifier The generated verifier of the margin circuit's key.
    /// @param maxAge How long after finalisation an epoch is accepted, in seconds.
    constructor(IEpochRoots registry, IMarginVerifier marginVerifier, uint64 maxAge) {
        REGISTRY = registry;
        MARGIN_VERIFIER = marginVerifier;
        MAX_AGE = maxAge;
    }

    /// @notice binding = uint160(recipient) + chainId << 160 (docs/statement.md 5.8).
    /// @param recipient The address.
    /// @return The binding of `recipient` on this chain.
    function bindingOf(address recipient) public view returns (uint256) {
        return uint256(uint160(recipient)) | (block.chainid << 160);
    }

    /// @notice scope = uint160(address(this)) + chainId << 160 (docs/statement.md 5.8): where nullifiers
    ///         proven for this gate are spent.
    /// @return The scope of this gate on this chain.
    function scope() public view returns (uint256) {
        return uint256(uint160(address(this))) | (block.chainid << 160);
    }

    /// @notice Credits msg.sender with the statement's threshold for `epochId`.
    /// @param epochId A final, fresh epoch of REGISTRY.
    /// @param statement The proof's public inputs: root, paramsHash, threshold, binding, scope, nullifier.
    /// @param proof The 256-byte Groth16 proof (verifier/groth16.py Proof.to_bytes).
    function claimCredit(uint64 epochId, uint256[6] calldata statement, bytes calldata proof) external {
        uint64 expiresAt = _checkEpoch(epochId, statement[0], statement[1]);
        _checkBindingAndScope(statement[3], statement[4]);
        uint256 nullifier = statement[5];
        if (nullifierUsed[epochId][nullifier]) revert MarginGate__NullifierUsed(epochId, nullifier);
        uint64 creditEpoch = credits[msg.sender].epoch;
        if (epochId < creditEpoch) revert MarginGate__OlderThanCredit(epochId, creditEpoch);
        // Every input but the threshold and the nullifier was checked equal to the gate's own value above.
        uint256[6] memory input =
            [statement[0], statement[1], statement[2], statement[3], statement[4], nullifier];
        bool valid;
        try MARGIN_VERIFIER.verifyProof(proof, input) returns (bool ok) {
            valid = ok;
        } catch {
            valid = false;
        }
        if (!valid) revert MarginGate__InvalidProof();
        nullifierUsed[epochId][nullifier] = true;
        // A verified threshold is below 2^64 (FreeAboveThreshold range-checks it).
        credits[msg.sender] = Credit(uint64(statement[2]), epochId, expiresAt);
        emit CreditGranted(msg.sender, epochId, statement[2], nullifier);
    }

    /// @notice Reverts unless `epochId` is final and fresh in REGISTRY with this root and parameter hash.
    /// @param epochId The epoch.
    /// @param root The proof's root.
    /// @param paramsHash The proof's parameter hash.
    /// @return expiresAt Until when a credit of this epoch counts (capped to uint64).
    function _checkEpoch(uint64 epochId, uint256 root, uint256 paramsHash)
        private
        view
        returns (uint64 expiresAt)
    {
        (uint256 epochRoot, uint256 epochParams, uint64 finalizedAt) = REGISTRY.finalizedEpoch(epochId);
        if (finalizedAt == 0) revert MarginGate__EpochNotFinal(epochId);
        uint256 expires = uint256(finalizedAt) + MAX_AGE;
        if (block.timestamp > expires) revert MarginGate__EpochStale(epochId, finalizedAt);
        if (root != epochRoot) revert MarginGate__RootMismatch(epochRoot, root);
        if (paramsHash != epochParams) revert MarginGate__ParamsHashMismatch(epochParams, paramsHash);
        return expires > type(uint64).max ? type(uint64).max : uint64(expires);
    }

    /// @notice Reverts unless the proof is bound to msg.sender on this chain and scoped to this gate.
    /// @param binding The proof's binding.
    /// @param proofScope The proof's scope.
    function _checkBindingAndScope(uint256 binding, uint256 proofScope) private view {
        if (binding != bindingOf(msg.sender)) {
            if (binding >> 160 != block.chainid) revert MarginGate__BoundToOtherChain(binding >> 160);
            revert MarginGate__BoundToOtherSender(address(uint160(binding)));
        }
        if (proofScope != scope()) revert MarginGate__ScopedToOtherGate(proofScope);
    }

    /// @inheritdoc IMarginCredit
    function creditOf(address account) external view returns (uint256 amount, uint64 epoch) {
        Credit memory credit = credits[account];
        amount = block.timestamp > credit.expiresAt ? 0 : credit.amount;
        return (amount, credit.epoch);
    }
}
