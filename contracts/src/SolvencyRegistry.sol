// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity 0.8.37;

import {IEpochRoots} from "./IEpochRoots.sol";
import {IPoseidon} from "./IPoseidon.sol";
import {IProofVerifier} from "./IProofVerifier.sol";
import {PoseidonVector} from "./PoseidonVector.sol";
import {QuadFrontier} from "./QuadFrontier.sol";
import {CustodyReserves} from "./CustodyReserves.sol";
import {TwoStepOwnable} from "./TwoStepOwnable.sol";

/// @title SolvencyRegistry: a venue's epochs, each batch proof verified on-chain
/// @notice The venue (the owner) opens an epoch with its parameter hash, reserves and batch count,
///         submits the batch proofs in order (each checked against the chain of state commitments from
///         the genesis state, the batch index and the parameter hash, then verified by the verifier of
///         its kind: standard accounts or portfolio accounts; every fourth
///         subtree root completes a group that foldTree hashes into the account tree, in a transaction
///         of its own so that no submitBatch pays for Poseidon), and finalises it
///         with the opening of the final state: the registry recomputes its Poseidon hash, compares the
///         totals with the reserves and records the account root, which it computes from the proven
///         subtree roots; the reserves it can see on this chain (CustodyReserves) must cover their assets.
///         docs/contracts.md states what this establishes and what it does not.
contract SolvencyRegistry is IEpochRoots, CustodyReserves {
    using QuadFrontier for QuadFrontier.Tree;

    /// @notice Circuit sizes (verifier/profiles.py).
    /// @param assets Asset slots A.
    /// @param instruments Instrument slots of the chained state: the perpetual markets, then the option series.
    /// @param batchLevels Levels of a batch subtree (a batch holds 4^batchLevels accounts).
    /// @param treeDepth Depth of the epoch tree.
    struct Profile {
        uint8 assets;
        uint8 instruments;
        uint8 batchLevels;
        uint8 treeDepth;
    }

    /// @notice Where an epoch stands.
    enum Status {
        None,
        Open,
        Final,
        Abandoned
    }

    /// @notice An epoch as the registry keeps it.
    /// @param paramsHash The parameter hash every batch proof must carry.
    /// @param root The account root, once final.
    /// @param finalState The final state commitment (nextState of the last batch), once final.
    /// @param batches The number of batches declared at opening.
    /// @param submitted The number of batch proofs accepted so far.
    /// @param folded The number of complete groups of four subtree roots hashed into the tree.
    /// @param instruments Bit i set: instrument slot i is a real market or option series (it must balance);
    ///        clear: an unused slot (it must be empty).
    /// @param status Open, Final or Abandoned.
    /// @param openedAt Opening time.
    /// @param finalizedAt Finalisation time (0 until final).
    /// @param reserves Declared reserves per real asset, in quanta.
    /// @param insurance The declared insurance fund's value, USD * 1e22.
    /// @param book Once final: healthy, liquidatable and bankrupt counts (healthy with the padding slots),
    ///        maintenance shortfall and bad debt (USD * 1e22), as the final state opens them.
    struct Epoch {
        uint256 paramsHash;
        uint256 root;
        uint256 finalState;
        uint32 batches;
        uint32 submitted;
        uint32 folded;
        uint64 instruments;
        Status status;
        uint64 openedAt;
        uint64 finalizedAt;
        uint256[] reserves;
        uint256 insurance;
        uint256[5] book;
    }

    uint256 private constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 private constant MAX_KEY = 2 ** 64;
    /// @notice The state's domain tag: the ASCII bytes of "zksolvency/state" (verifier/field.py).
    uint256 private constant STATE_DOMAIN = 0x7a6b736f6c76656e63792f7374617465;
    /// @notice State elements besides the totals: domain, 5 book figures, last key, held, batches, blind.
    uint256 private constant STATE_EXTRA = 10;
    /// @notice Index of the bad debt in the book: healthy, liquidatable, bankrupt, shortfall, bad debt.
    uint256 private constant BAD_DEBT = 4;

    /// @notice Asset slots A of the profile.
    uint256 public immutable ASSETS;
    /// @notice Instrument slots of the profile: its M markets, then its S option series.
    uint256 public immutable INSTRUMENTS;
    /// @notice Levels of the epoch tree above the batch subtrees (treeDepth - batchLevels).
    uint256 public immutable HEIGHT;
    /// @notice Batches an epoch tree holds: 4^HEIGHT.
    uint256 public immutable MAX_BATCHES;
    /// @notice HashVector of 2A + 2M + 3 zeros: the state the first batch must start from.
    uint256 public immutable GENESIS_STATE;
    /// @notice The batch circuit's verifier (batches of standard accounts).
    IProofVerifier public immutable BATCH_VERIFIER;
    /// @notice The portfolio batch circuit's verifier (batches of portfolio accounts).
    IProofVerifier public immutable PORTFOLIO_VERIFIER;
    /// @notice Poseidon(5), for tree nodes (NODE_DOMAIN and four children).
    IPoseidon public immutable NODE_HASH;
    /// @notice Poseidon(min(S, 12)), for the state vector.
    IPoseidon public immutable STATE_HEAD;
    /// @notice Poseidon of the state vector's last short chunk (address(0) if there is none).
    IPoseidon public immutable STATE_TAIL;

    /// @notice The epoch being proven (0 when none is open).
    uint64 public openEpochId;
    /// @notice The last epoch opened; ids strictly increase.
    uint64 public lastEpochId;
    /// @notice The last epoch finalised (0 when none).
    uint64 public latestFinalizedEpoch;
    /// @notice The state commitment the next batch of the open epoch must start from.
    uint256 public chainState;
    /// @notice Per height above the batch subtrees, the root of an empty subtree.
    uint256[] public emptyRoots;

    mapping(uint64 epochId => Epoch) private epochs;
    QuadFrontier.Tree private tree;

    /// @notice The venue opened an epoch.
    /// @param epochId The epoch.
    /// @param paramsHash Its parameter hash.
    /// @param reserves Declared reserves per asset (quanta).
    /// @param instruments The real instrument slots, one bit each.
    /// @param batches The number of batches to come.
    /// @param insurance The declared insurance fund's value, USD * 1e22 (docs/statement.md check 12).
    event EpochOpened(
        uint64 indexed epochId, uint256 paramsHash, uint256[] reserves, uint64 instruments, uint32 batches, uint256 insurance
    );
    /// @notice A batch proof verified and joined the chain.
    /// @param epochId The epoch.
    /// @param batchIndex Its index.
    /// @param portfolio Its kind: true for a batch of portfolio accounts, false for standard accounts.
    /// @param nextState The state after it.
    /// @param subtreeRoot The root of its accounts.
    event BatchSubmitted(
        uint64 indexed epochId, uint32 indexed batchIndex, bool portfolio, uint256 nextState, uint256 subtreeRoot
    );
    /// @notice The epoch is final: its totals are covered by the reserves and its root is recorded.
    /// @param epochId The epoch.
    /// @param root The account root.
    /// @param paramsHash The parameter hash.
    /// @param totals The opened totals: equity[A], debt[A], long[M], short[M] (quanta).
    /// @param lastKey The last account key.
    /// @param book healthy, liquidatable and bankrupt counts, maintenance shortfall and bad debt (USD * 1e22).
    event EpochFinalized(
        uint64 indexed epochId, uint256 root, uint256 paramsHash, uint256[] totals, uint256 lastKey, uint256[5] book
    );
    /// @notice A complete group of four subtree roots was hashed into the account tree.
    /// @param epochId The epoch.
    /// @param group The group's number (batches 4 * group .. 4 * group + 3).
    event TreeFolded(uint64 indexed epochId, uint32 group);
    /// @notice The venue gave up an open epoch; a new one may be opened.
    /// @param epochId The epoch.
    event EpochAbandoned(uint64 indexed epochId);

    /// @notice A profile the registry cannot serve (no asset, no level above the batches, or too deep).
    error SolvencyRegistry__BadProfile();
    /// @notice A verifier address without code.
    /// @param verifier Its address.
    error SolvencyRegistry__BadVerifier(address verifier);
    /// @notice A hasher that does not take the number of inputs the profile needs.
    /// @param hasher Its address.
    /// @param inputs The number of inputs it should take.
    error SolvencyRegistry__BadHasher(address hasher, uint256 inputs);
    /// @notice Another epoch is still open.
    /// @param openEpochId The open epoch.
    error SolvencyRegistry__EpochStillOpen(uint64 openEpochId);
    /// @notice Epoch ids must strictly increase.
    /// @param epochId The id given.
    /// @param lastEpochId The last id used.
    error SolvencyRegistry__EpochIdNotIncreasing(uint64 epochId, uint64 lastEpochId);
    /// @notice A parameter hash that is not a non-zero field element.
    error SolvencyRegistry__BadParamsHash();
    /// @notice One reserve amount per real asset, 1 to A of them.
    /// @param given The number given.
    error SolvencyRegistry__BadReserveCount(uint256 given);
    /// @notice Real instruments only among the profile's instrument slots.
    /// @param given The bits given.
    error SolvencyRegistry__BadInstrumentSlots(uint64 given);
    /// @notice An epoch has 1 to MAX_BATCHES batches.
    /// @param given The number given.
    error SolvencyRegistry__BadBatchCount(uint32 given);
    /// @notice The epoch is not open.
    /// @param epochId The epoch.
    error SolvencyRegistry__EpochNotOpen(uint64 epochId);
    /// @notice The proof carries another parameter hash than the epoch's.
    /// @param expected The epoch's.
    /// @param given The proof's.
    error SolvencyRegistry__ParamsHashMismatch(uint256 expected, uint256 given);
    /// @notice This batch index was accepted already.
    /// @param batchIndex The index.
    error SolvencyRegistry__BatchAlreadySubmitted(uint256 batchIndex);
    /// @notice Batches come in order: the index must equal the number accepted so far.
    /// @param expected The next index.
    /// @param given The proof's index.
    error SolvencyRegistry__BatchOutOfOrder(uint256 expected, uint256 given);
    /// @notice Every declared batch is in already.
    /// @param batches The declared count.
    error SolvencyRegistry__TooManyBatches(uint32 batches);
    /// @notice The proof starts from another state than the one the chain is in.
    /// @param expected The registry's current state.
    /// @param given The proof's prevState.
    error SolvencyRegistry__PrevStateMismatch(uint256 expected, uint256 given);
    /// @notice The previous group of four batches must be folded (foldTree) before this batch.
    /// @param group The group to fold.
    error SolvencyRegistry__FoldPending(uint32 group);
    /// @notice No complete group of four batches is waiting to be folded.
    error SolvencyRegistry__NothingToFold();
    /// @notice The batch proof does not verify under the verifier of the kind given.
    /// @param batchIndex The index.
    /// @param portfolio The kind given: true for the portfolio batch verifier, false for the batch verifier.
    error SolvencyRegistry__InvalidBatchProof(uint256 batchIndex, bool portfolio);
    /// @notice Not every declared batch is in.
    /// @param submitted Accepted so far.
    /// @param batches Declared.
    error SolvencyRegistry__EpochIncomplete(uint32 submitted, uint32 batches);
    /// @notice The opening has the wrong number of totals.
    /// @param given The number given.
    error SolvencyRegistry__BadOpeningLength(uint256 given);
    /// @notice The proven bad debt exceeds the declared insurance fund.
    /// @param insurance The fund's declared value (USD * 1e22).
    /// @param badDebt The proven bad debt (USD * 1e22).
    error SolvencyRegistry__InsuranceShort(uint256 insurance, uint256 badDebt);
    /// @notice The opening does not hash to the final state.
    error SolvencyRegistry__OpeningMismatch();
    /// @notice The last key is not below 2^64 (check 8 of docs/statement.md 1.3).
    /// @param lastKey The opened last key.
    error SolvencyRegistry__KeyBoundExceeded(uint256 lastKey);
    /// @notice An unused asset or market slot carries a total (check 9).
    /// @param index The total's position in the opening.
    error SolvencyRegistry__PaddingSlotNotEmpty(uint256 index);
    /// @notice Reserves below the net liabilities equity - debt of an asset (check 11).
    /// @param asset The asset slot.
    /// @param reserves The declared reserves.
    /// @param liabilities equity - debt.
    error SolvencyRegistry__ReservesShort(uint256 asset, uint256 reserves, uint256 liabilities);
    /// @notice Long and short open interest of a market differ; see docs/contracts.md.
    /// @param market The market slot.
    /// @param long Its long total.
    /// @param short Its short total.
    error SolvencyRegistry__OpenInterestImbalanced(uint256 market, uint256 long, uint256 short);

    /// @notice Deploys the registry of one venue for one circuit profile.
    /// @param venue_ The venue: the owner, the only address that writes.
    /// @param profile The circuit sizes the keys were made for.
    /// @param batchVerifier The generated verifier of the batch circuit's key (standard accounts).
    /// @param portfolioVerifier The generated verifier of the portfolio batch circuit's key (portfolio accounts).
    /// @param nodeHash Poseidon(5).
    /// @param stateHead Poseidon(min(S, 12)), S = 2A + 2M + 10.
    /// @param stateTail Poseidon of the state vector's last short chunk, or address(0) when none.
    constructor(
        address venue_,
        Profile memory profile,
        IProofVerifier batchVerifier,
        IProofVerifier portfolioVerifier,
        IPoseidon nodeHash,
        IPoseidon stateHead,
        IPoseidon stateTail
    ) TwoStepOwnable(venue_) {
        uint256 height = uint256(profile.treeDepth) - profile.batchLevels;
        if (profile.assets == 0 || profile.treeDepth <= profile.batchLevels || height > 16) {
            revert SolvencyRegistry__BadProfile();
        }
        uint256 length = 2 * uint256(profile.assets) + 2 * uint256(profile.instruments) + STATE_EXTRA;
        if (address(batchVerifier).code.length == 0) revert SolvencyRegistry__BadVerifier(address(batchVerifier));
        if (address(portfolioVerifier).code.length == 0) {
            revert SolvencyRegistry__BadVerifier(address(portfolioVerifier));
        }
        _checkHasher(nodeHash, 5);
        _checkHasher(stateHead, length < 12 ? length : 12);
        uint256 tail = PoseidonVector.tailInputs(length);
        if (tail != 0) _checkHasher(stateTail, tail);
        ASSETS = profile.assets;
        INSTRUMENTS = profile.instruments;
        HEIGHT = height;
        MAX_BATCHES = 4 ** height;
        BATCH_VERIFIER = batchVerifier;
        PORTFOLIO_VERIFIER = portfolioVerifier;
        NODE_HASH = nodeHash;
        STATE_HEAD = stateHead;
        STATE_TAIL = stateTail;
        uint256[] memory genesis = new uint256[](length);
        genesis[0] = STATE_DOMAIN;
        GENESIS_STATE = PoseidonVector.hashVector(stateHead, stateTail, genesis);
        uint256 empty = 0;
        uint256[] memory children = new uint256[](5);
        children[0] = QuadFrontier.NODE_DOMAIN;
        for (uint256 level = 0; level < profile.treeDepth; ++level) {
            if (level >= profile.batchLevels) emptyRoots.push(empty);
            children[1] = children[2] = children[3] = children[4] = empty;
            empty = nodeHash.hash(children);
        }
        tree.prime(height);
        chainState = 1;
    }

    /// @notice The venue: an alias of owner.
    /// @return The venue's address.
    function venue() external view returns (address) {
        return owner;
    }

    /// @notice Opens an epoch; batches then come with submitBatch, in order, from the genesis state.
    /// @param epochId Above every id used before.
    /// @param paramsHash The parameter hash (docs/statement.md 5.3) every batch proof must carry.
    /// @param reserves Declared reserves per real asset, in quanta (1 to A of them, settlement first).
    /// @param instruments The real instrument slots, bit i for slot i (markets, then option series).
    /// @param batches The number of batches the epoch will have (1 to MAX_BATCHES).
    /// @param insurance The declared insurance fund's value at the epoch's prices, USD * 1e22 (the off-chain
    ///        audit recomputes it from the parameters; here it is declared, as the reserves are).
    function openEpoch(
        uint64 epochId,
        uint256 paramsHash,
        uint256[] calldata reserves,
        uint64 instruments,
        uint32 batches,
        uint256 insurance
    ) external onlyOwner {
        if (openEpochId != 0) revert SolvencyRegistry__EpochStillOpen(openEpochId);
        if (epochId <= lastEpochId) revert SolvencyRegistry__EpochIdNotIncreasing(epochId, lastEpochId);
        if (paramsHash == 0 || paramsHash >= R) revert SolvencyRegistry__BadParamsHash();
        if (reserves.length == 0 || reserves.length > ASSETS) revert SolvencyRegistry__BadReserveCount(reserves.length);
        if (instruments >> INSTRUMENTS != 0) revert SolvencyRegistry__BadInstrumentSlots(instruments);
        if (batches == 0 || batches > MAX_BATCHES) revert SolvencyRegistry__BadBatchCount(batches);
        Epoch storage e = epochs[epochId];
        e.paramsHash = paramsHash;
        e.batches = batches;
        e.instruments = instruments;
        e.status = Status.Open;
        e.openedAt = uint64(block.timestamp);
        e.reserves = reserves;
        e.insurance = insurance;
        openEpochId = epochId;
        lastEpochId = epochId;
        chainState = GENESIS_STATE;
        emit EpochOpened(epochId, paramsHash, reserves, instruments, batches, insurance);
    }

    /// @notice Adds the next batch of the open epoch. The statement's metadata is checked first (so that a
    ///         wrong submission is named), then the proof, by the verifier of the batch's kind; nothing is
    ///         recorded unless it verifies. The registry only routes: that a standard batch holds no
    ///         portfolio account and a portfolio batch no standard one is proven by the circuits (the regime
    ///         is in the account key), and both kinds chain into the one state and the one root.
    /// @param epochId The open epoch.
    /// @param portfolio The batch's kind: true for portfolio accounts (PORTFOLIO_VERIFIER), false for
    ///        standard accounts (BATCH_VERIFIER).
    /// @param statement The proof's public inputs: paramsHash, batchIndex, prevState, nextState, subtreeRoot.
    /// @param proof The 256-byte Groth16 proof (verifier/groth16.py Proof.to_bytes).
    function submitBatch(uint64 epochId, bool portfolio, uint256[5] calldata statement, bytes calldata proof)
        external
        onlyOwner
    {
        Epoch storage e = epochs[epochId];
        if (e.status != Status.Open) revert SolvencyRegistry__EpochNotOpen(epochId);
        if (statement[0] != e.paramsHash) revert SolvencyRegistry__ParamsHashMismatch(e.paramsHash, statement[0]);
        uint32 index = e.submitted;
        if (statement[1] < index) revert SolvencyRegistry__BatchAlreadySubmitted(statement[1]);
        if (statement[1] != index) revert SolvencyRegistry__BatchOutOfOrder(index, statement[1]);
        if (index == e.batches) revert SolvencyRegistry__TooManyBatches(e.batches);
        if (statement[2] != chainState) revert SolvencyRegistry__PrevStateMismatch(chainState, statement[2]);
        if (index & 3 == 0 && index >> 2 != e.folded) revert SolvencyRegistry__FoldPending(e.folded);
        IProofVerifier verifier = portfolio ? PORTFOLIO_VERIFIER : BATCH_VERIFIER;
        bool valid;
        try verifier.verifyProof(proof, statement) returns (bool ok) {
            valid = ok;
        } catch {
            valid = false;
        }
        if (!valid) revert SolvencyRegistry__InvalidBatchProof(index, portfolio);
        chainState = statement[3];
        e.submitted = index + 1;
        tree.append(HEIGHT, index, statement[4]);
        emit BatchSubmitted(epochId, index, portfolio, statement[3], statement[4]);
    }

    /// @notice Hashes the next complete group of four subtree roots of the open epoch into its account
    ///         tree. Anyone may call it: the result is determined by the submitted roots.
    /// @param epochId The open epoch.
    function foldTree(uint64 epochId) external {
        Epoch storage e = epochs[epochId];
        if (e.status != Status.Open) revert SolvencyRegistry__EpochNotOpen(epochId);
        _fold(e, epochId);
    }

    /// @notice Finalises the open epoch once every batch is in: `totals`, `book`, `lastKey`, `held` and
    ///         `blind`, with the batch count, must hash to the current state; unused slots must be empty,
    ///         each asset's reserves must cover equity - debt, each market's open interest must balance and
    ///         the declared insurance fund must cover the proven bad debt. The book is recorded.
    /// @param epochId The open epoch.
    /// @param totals equity[A], debt[A], long[M], short[M], in quanta.
    /// @param book healthy, liquidatable, bankrupt, maintenance shortfall, bad debt (USD * 1e22).
    /// @param lastKey The key of the last account.
    /// @param held The markets the last account holds (bit m for market m).
    /// @param blind The final state's blind.
    function finalize(
        uint64 epochId,
        uint256[] calldata totals,
        uint256[5] calldata book,
        uint256 lastKey,
        uint256 held,
        uint256 blind
    ) external onlyOwner {
        Epoch storage e = epochs[epochId];
        if (e.status != Status.Open) revert SolvencyRegistry__EpochNotOpen(epochId);
        if (e.submitted != e.batches) revert SolvencyRegistry__EpochIncomplete(e.submitted, e.batches);
        uint256 a = ASSETS;
        uint256 m = INSTRUMENTS;
        if (totals.length != 2 * a + 2 * m) revert SolvencyRegistry__BadOpeningLength(totals.length);
        if (_stateHash(totals, book, [lastKey, held, e.submitted, blind]) != chainState) {
            revert SolvencyRegistry__OpeningMismatch();
        }
        if (lastKey >= MAX_KEY) revert SolvencyRegistry__KeyBoundExceeded(lastKey);
        if (book[BAD_DEBT] > e.insurance) revert SolvencyRegistry__InsuranceShort(e.insurance, book[BAD_DEBT]);
        e.book = book;
        _checkTotals(e, totals, a, m);
        _proveReserves(epochId, totals, a);
        if (e.folded < e.submitted >> 2) _fold(e, epochId);
        uint256 root = tree.root(NODE_HASH, HEIGHT, e.submitted, emptyRoots);
        e.root = root;
        e.finalState = chainState;
        e.status = Status.Final;
        e.finalizedAt = uint64(block.timestamp);
        openEpochId = 0;
        latestFinalizedEpoch = epochId;
        emit EpochFinalized(epochId, root, e.paramsHash, totals, lastKey, book);
    }

    /// @notice HashVector(STATE_DOMAIN, totals, book, last key, held, batches, blind): the chain state.
    /// @param totals equity[A], debt[A], long[M], short[M].
    /// @param book healthy, liquidatable, bankrupt, shortfall, bad debt.
    /// @param tail last key, held markets, batch count, blind.
    /// @return The state hash.
    function _stateHash(uint256[] calldata totals, uint256[5] calldata book, uint256[4] memory tail)
        private
        view
        returns (uint256)
    {
        uint256 n = totals.length;
        uint256[] memory vector = new uint256[](n + STATE_EXTRA);
        vector[0] = STATE_DOMAIN;
        for (uint256 i = 0; i < n; ++i) {
            vector[1 + i] = totals[i];
        }
        for (uint256 i = 0; i < 5; ++i) {
            vector[1 + n + i] = book[i];
        }
        for (uint256 i = 0; i < 4; ++i) {
            vector[6 + n + i] = tail[i];
        }
        return PoseidonVector.hashVector(STATE_HEAD, STATE_TAIL, vector);
    }

    /// @notice Gives up the open epoch (nothing of it becomes final); a new epoch may then be opened.
    /// @param epochId The open epoch.
    function abandonEpoch(uint64 epochId) external onlyOwner {
        Epoch storage e = epochs[epochId];
        if (e.status != Status.Open) revert SolvencyRegistry__EpochNotOpen(epochId);
        e.status = Status.Abandoned;
        openEpochId = 0;
        emit EpochAbandoned(epochId);
    }

    /// @notice Everything the registry keeps about an epoch.
    /// @param epochId The epoch.
    /// @return The epoch (status None if it was never opened).
    function getEpoch(uint64 epochId) external view returns (Epoch memory) {
        return epochs[epochId];
    }

    /// @inheritdoc IEpochRoots
    function finalizedEpoch(uint64 epochId)
        external
        view
        returns (uint256 root, uint256 paramsHash, uint64 finalizedAt)
    {
        Epoch storage e = epochs[epochId];
        if (e.status != Status.Final) return (0, 0, 0);
        return (e.root, e.paramsHash, e.finalizedAt);
    }

    /// @inheritdoc CustodyReserves
    function _assetSlots() internal view override returns (uint256) {
        return ASSETS;
    }

    /// @notice Checks 9 and 11 of docs/statement.md 1.3 on the opened totals (see docs/contracts.md).
    /// @param e The epoch.
    /// @param totals equity[A], debt[A], long[N], short[N] over the N instrument slots.
    /// @param a A.
    /// @param m N.
    function _checkTotals(Epoch storage e, uint256[] calldata totals, uint256 a, uint256 m) private view {
        uint256 assets = e.reserves.length;
        for (uint256 i = assets; i < a; ++i) {
            if (totals[i] != 0) revert SolvencyRegistry__PaddingSlotNotEmpty(i);
            if (totals[a + i] != 0) revert SolvencyRegistry__PaddingSlotNotEmpty(a + i);
        }
        for (uint256 i = 0; i < m; ++i) {
            if ((e.instruments >> i) & 1 == 1) continue;
            if (totals[2 * a + i] != 0) revert SolvencyRegistry__PaddingSlotNotEmpty(2 * a + i);
            if (totals[2 * a + m + i] != 0) revert SolvencyRegistry__PaddingSlotNotEmpty(2 * a + m + i);
        }
        for (uint256 i = 0; i < assets; ++i) {
            (uint256 equity, uint256 debt, uint256 reserve) = (totals[i], totals[a + i], e.reserves[i]);
            if (equity > debt && equity - debt > reserve) {
                revert SolvencyRegistry__ReservesShort(i, reserve, equity - debt);
            }
        }
        for (uint256 i = 0; i < m; ++i) {
            (uint256 long, uint256 short) = (totals[2 * a + i], totals[2 * a + m + i]);
            if (long != short) revert SolvencyRegistry__OpenInterestImbalanced(i, long, short);
        }
    }

    /// @notice Folds the next complete group of four subtree roots.
    /// @param e The epoch.
    /// @param epochId Its id.
    function _fold(Epoch storage e, uint64 epochId) private {
        uint32 group = e.folded;
        if ((uint256(group) + 1) * 4 > e.submitted) revert SolvencyRegistry__NothingToFold();
        tree.fold(NODE_HASH, HEIGHT, group);
        e.folded = group + 1;
        emit TreeFolded(epochId, group);
    }

    /// @notice Reverts unless `hasher` takes `inputs` inputs.
    /// @param hasher The hasher.
    /// @param inputs The number of inputs it must take.
    function _checkHasher(IPoseidon hasher, uint256 inputs) private view {
        if (address(hasher).code.length == 0 || hasher.inputs() != inputs) {
            revert SolvencyRegistry__BadHasher(address(hasher), inputs);
        }
    }
}
