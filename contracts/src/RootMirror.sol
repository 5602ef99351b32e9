// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity 0.8.37;

import {IEpochRoots} from "./IEpochRoots.sol";
import {TwoStepOwnable} from "./TwoStepOwnable.sol";

/// @title RootMirror: a venue's finalised epoch roots on another chain, posted by a relayer
/// @notice Verifies no proof: it holds what the relayer posts from the source chain's SolvencyRegistry,
///         so a MarginGate on this chain trusts the relayer as it would a bridge (docs/contracts.md).
///         The owner (two-step) appoints the relayer.
contract RootMirror is IEpochRoots, TwoStepOwnable {
    /// @notice A relayed epoch.
    /// @param root The account root.
    /// @param paramsHash The parameter hash.
    /// @param finalizedAt Its finalisation time on the source chain.
    struct Root {
        uint256 root;
        uint256 paramsHash;
        uint64 finalizedAt;
    }

    /// @notice The chain the roots come from.
    uint256 public immutable SOURCE_CHAIN_ID;
    /// @notice The SolvencyRegistry they come from, on SOURCE_CHAIN_ID.
    address public immutable SOURCE_REGISTRY;
    /// @notice The only address that posts roots.
    address public relayer;
    /// @notice The last epoch relayed; ids strictly increase.
    uint64 public latestFinalizedEpoch;

    mapping(uint64 epochId => Root) private roots;

    /// @notice The owner appointed a relayer.
    /// @param relayer The new relayer.
    event RelayerChanged(address indexed relayer);
    /// @notice A finalised epoch arrived from the source chain.
    /// @param epochId The epoch.
    /// @param root Its account root.
    /// @param paramsHash Its parameter hash.
    /// @param finalizedAt Its finalisation time on the source chain.
    event EpochRelayed(uint64 indexed epochId, uint256 root, uint256 paramsHash, uint64 finalizedAt);

    /// @notice Only the relayer posts roots.
    /// @param caller The caller.
    error RootMirror__NotRelayer(address caller);
    /// @notice Relayed epoch ids must strictly increase.
    /// @param epochId The id given.
    /// @param latest The last id relayed.
    error RootMirror__EpochIdNotIncreasing(uint64 epochId, uint64 latest);
    /// @notice A finalisation time of 0 or in this chain's future.
    /// @param finalizedAt The time given.
    error RootMirror__BadFinalizationTime(uint64 finalizedAt);
    /// @notice A root or parameter hash of 0.
    error RootMirror__EmptyRoot();

    /// @notice Deploys the mirror of one source registry.
    /// @param owner_ The owner, who appoints the relayer.
    /// @param relayer_ The first relayer.
    /// @param sourceChainId The source chain.
    /// @param sourceRegistry The source SolvencyRegistry.
    constructor(address owner_, address relayer_, uint256 sourceChainId, address sourceRegistry)
        TwoStepOwnable(owner_)
    {
        SOURCE_CHAIN_ID = sourceChainId;
        SOURCE_REGISTRY = sourceRegistry;
        relayer = relayer_;
        emit RelayerChanged(relayer_);
    }

    /// @notice Appoints the relayer (address(0) stops relaying).
    /// @param relayer_ The new relayer.
    function setRelayer(address relayer_) external onlyOwner {
        relayer = relayer_;
        emit RelayerChanged(relayer_);
    }

    /// @notice Records a finalised epoch of the source registry, as finalizedEpoch returns it there.
    /// @param epochId The epoch, above the last one relayed.
    /// @param root Its account root.
    /// @param paramsHash Its parameter hash.
    /// @param finalizedAt Its finalisation time on the source chain (not in this chain's future).
    function relayEpoch(uint64 epochId, uint256 root, uint256 paramsHash, uint64 finalizedAt) external {
        if (msg.sender != relayer) revert RootMirror__NotRelayer(msg.sender);
        if (epochId <= latestFinalizedEpoch) revert RootMirror__EpochIdNotIncreasing(epochId, latestFinalizedEpoch);
        if (finalizedAt == 0 || finalizedAt > block.timestamp) revert RootMirror__BadFinalizationTime(finalizedAt);
        if (root == 0 || paramsHash == 0) revert RootMirror__EmptyRoot();
        roots[epochId] = Root(root, paramsHash, finalizedAt);
        latestFinalizedEpoch = epochId;
        emit EpochRelayed(epochId, root, paramsHash, finalizedAt);
    }

    /// @inheritdoc IEpochRoots
    function finalizedEpoch(uint64 epochId)
        external
        view
        returns (uint256 root, uint256 paramsHash, uint64 finalizedAt)
    {
        Root storage r = roots[epochId];
        return (r.root, r.paramsHash, r.finalizedAt);
    }
}
