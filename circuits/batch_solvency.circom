pragma circom 2.2.0;

include "lib/account.circom";
include "lib/merkle.circom";
include "lib/params.circom";

/*
 * ChainState(A, M): HashVector(equity[A], debt[A], long[M], short[M], lastKey, batches, blind).
 * The blind is a prover-chosen random element (0 in the genesis state) so that intermediate states
 * reveal nothing, not even which trailing batches hold only padding.
 */
template ChainState(A, M) {
    signal input equity[A];
    signal input debt[A];
    signal input long[M];
    signal input short[M];
    signal input lastKey;
    signal input batches;
    signal input blind;
    signal output hash;

    var S = 2 * A + 2 * M + 3;
    signal vector[S];
    for (var a = 0; a < A; a++) {
        vector[a] <== equity[a];
        vector[A + a] <== debt[a];
    }
    for (var m = 0; m < M; m++) {
        vector[2 * A + m] <== long[m];
        vector[2 * A + M + m] <== short[m];
    }
    vector[S - 3] <== lastKey;
    vector[S - 2] <== batches;
    vector[S - 1] <== blind;
    hash <== HashVector(S)(vector);
}

/* StateOpening(A, M): a public chain state is the ChainState of these private values. */
template StateOpening(A, M) {
    signal input state;
    signal input equity[A];
    signal input debt[A];
    signal input long[M];
    signal input short[M];
    signal input lastKey;
    signal input batches;
    signal input blind;
    signal computed <== ChainState(A, M)(equity, debt, long, short, lastKey, batches, blind);
    state === computed;
}

/* SubtreeRoot(LEVELS): the public subtreeRoot is the QuadRoot of the batch's leaves. */
template SubtreeRoot(LEVELS) {
    signal input root;
    signal input leaves[4 ** LEVELS];
    signal computed <== QuadRoot(LEVELS)(leaves);
    root === computed;
}

/*
 * CrossMarginHolds(bits): free collateral is non-negative. With |free| < 2^bits and 2^bits far
 * below r / 2, a negative free wraps to a field element of at least r - 2^bits and fails the check.
 */
template CrossMarginHolds(bits) {
    signal input free;
    RangeCheck(bits)(free);
}

/*
 * KeyOrder(): a real account (key != 0) has key = lastKey + 1 + gap with gap in [0, 2^64), so
 * keys strictly increase over the epoch and no account appears twice. Key 0 marks padding and
 * leaves lastKey as it is.
 */
template KeyOrder() {
    signal input key;
    signal input gap;
    signal input lastKey;
    signal output isPadding;
    signal output nextLastKey;

    isPadding <== IsZero()(key);
    RangeCheck(64)(gap);
    (1 - isPadding) * (key - lastKey - 1 - gap) === 0;
    nextLastKey <== lastKey + (1 - isPadding) * (key - lastKey);
}

/* PaddingIsEmpty(A, M): a padding account holds nothing: every balance and position is 0. */
template PaddingIsEmpty(A, M) {
    signal input isPadding;
    signal input balanceMagnitude[A];
    signal input positionMagnitude[M];
    for (var a = 0; a < A; a++) {
        isPadding * balanceMagnitude[a] === 0;
    }
    for (var m = 0; m < M; m++) {
        isPadding * positionMagnitude[m] === 0;
    }
}

/*
 * BatchSolvency(LEVELS, A, M, T, K): one batch of B = 4^LEVELS accounts (docs/statement.md, "Batch circuit").
 *
 * Public inputs
 *   paramsHash   HashVector of the epoch's parameter vector
 *   batchIndex   position of this batch; its subtree is child batchIndex of the epoch tree
 *   prevState    ChainState before the batch, whose batch count is batchIndex
 *   nextState    ChainState after the batch, whose batch count is batchIndex + 1
 *   subtreeRoot  QuadRoot of the batch's account leaves
 * Functionality
 *   1. The parameters hash to paramsHash; prices and marks are 64-bit.
 *   2. The running totals, last key and blind open prevState, so batches chain from the genesis state.
 *   3. Each account: AccountHealth, and free >= 0 (cross margin holds, so net value is not negative).
 *   4. Keys strictly increase over the epoch (no account twice); padding (key 0) holds nothing.
 *   5. Totals: equity, debt, long and short sums.
 *   6. nextState commits to the new totals, last key, batchIndex + 1 and a fresh blind.
 *   7. Leaves: AccountLeaf per account; their QuadRoot is subtreeRoot.
 */
template BatchSolvency(LEVELS, A, M, T, K) {
    var B = 4 ** LEVELS;
    var P = A * 2 * T + M * (3 * K - 1);
    var FREE_BITS = FreeBits(A, M);

    signal input paramsHash;
    signal input batchIndex;
    signal input prevState;
    signal input nextState;
    signal input subtreeRoot;

    signal input params[P];
    signal input prevEquity[A];
    signal input prevDebt[A];
    signal input prevLong[M];
    signal input prevShort[M];
    signal input prevLastKey;
    signal input prevBlind;
    signal input nextBlind;

    signal input key[B];
    signal input keyGap[B];
    signal input salt[B];
    signal input balanceSign[B][A];
    signal input balanceMagnitude[B][A];
    signal input positionSign[B][M];
    signal input positionMagnitude[B][M];
    signal input tierSel[B][A][T];
    signal input bracketSel[B][M][K];

    // 1. Parameters.
    component epoch = EpochParameters(A, M, T, K);
    epoch.vector <== params;
    epoch.hash <== paramsHash;

    // 2. Opening of the previous state.
    StateOpening(A, M)(prevState, prevEquity, prevDebt, prevLong, prevShort, prevLastKey, batchIndex, prevBlind);

    component health[B];
    component order[B];
    component leaves[B];
    signal lastKey[B + 1];
    var equityTotal[A] = prevEquity;
    var debtTotal[A] = prevDebt;
    var longTotal[M] = prevLong;
    var shortTotal[M] = prevShort;
    lastKey[0] <== prevLastKey;

    for (var i = 0; i < B; i++) {
        // 3. Margin rules.
        health[i] = AccountHealth(A, M, T, K);
        health[i].balanceSign <== balanceSign[i];
        health[i].balanceMagnitude <== balanceMagnitude[i];
        health[i].positionSign <== positionSign[i];
        health[i].positionMagnitude <== positionMagnitude[i];
        health[i].price <== epoch.price;
        health[i].tierFloor <== epoch.tierFloor;
        health[i].tierRate <== epoch.tierRate;
        health[i].tierBase <== epoch.tierBase;
        health[i].mark <== epoch.mark;
        health[i].bracketFloor <== epoch.bracketFloor;
        health[i].bracketRate <== epoch.bracketRate;
        health[i].bracketCum <== epoch.bracketCum;
        health[i].tierSel <== tierSel[i];
        health[i].bracketSel <== bracketSel[i];
        CrossMarginHolds(FREE_BITS)(health[i].free);

        // 4. Keys and padding.
        order[i] = KeyOrder();
        order[i].key <== key[i];
        order[i].gap <== keyGap[i];
        order[i].lastKey <== lastKey[i];
        lastKey[i + 1] <== order[i].nextLastKey;
        PaddingIsEmpty(A, M)(order[i].isPadding, balanceMagnitude[i], positionMagnitude[i]);

        // 5. Totals.
        for (var a = 0; a < A; a++) {
            equityTotal[a] += health[i].equity[a];
            debtTotal[a] += health[i].debt[a];
        }
        for (var m = 0; m < M; m++) {
            longTotal[m] += health[i].long[m];
            shortTotal[m] += health[i].short[m];
        }

        // 7. Leaf (the root follows below).
        leaves[i] = AccountLeaf(A, M);
        leaves[i].key <== key[i];
        leaves[i].salt <== salt[i];
        leaves[i].balanceSign <== balanceSign[i];
        leaves[i].balanceMagnitude <== balanceMagnitude[i];
        leaves[i].positionSign <== positionSign[i];
        leaves[i].positionMagnitude <== positionMagnitude[i];
    }

    // 6. The next state.
    signal equityAfter[A] <== equityTotal;
    signal debtAfter[A] <== debtTotal;
    signal longAfter[M] <== longTotal;
    signal shortAfter[M] <== shortTotal;
    StateOpening(A, M)(nextState, equityAfter, debtAfter, longAfter, shortAfter, lastKey[B], batchIndex + 1, nextBlind);

    // 7. The subtree root.
    signal leafValues[B];
    for (var i = 0; i < B; i++) {
        leafValues[i] <== leaves[i].leaf;
    }
    SubtreeRoot(LEVELS)(subtreeRoot, leafValues);
}
