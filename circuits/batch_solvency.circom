pragma circom 2.2.0;

include "lib/account.circom";
include "lib/merkle.circom";
include "lib/params.circom";

/*
 * BatchSolvency(LEVELS, A, M, T, K): one batch of B = 4^LEVELS accounts (docs/statement.md, "Batch circuit").
 *
 * Public inputs
 *   paramsHash   HashVector of the epoch's parameter vector
 *   batchIndex   position of this batch; its subtree is child batchIndex of the epoch tree
 *   prevState    state before the batch: HashVector(equity[A], debt[A], long[M], short[M], lastKey, batchIndex)
 *   nextState    state after the batch, with batchIndex + 1
 *   subtreeRoot  QuadRoot of the batch's account leaves
 * Functionality
 *   1. The parameters hash to paramsHash; prices and marks are 64-bit.
 *   2. The running totals and last key open prevState, so batches chain from the all-zero state.
 *   3. Each account: AccountHealth, free >= 0 (cross margin holds, no negative net value).
 *   4. Keys: a real account has key > lastKey (keys strictly increase across the epoch, so no
 *      account appears twice); key 0 marks padding, which must hold nothing.
 *   5. Totals: equity, debt, long and short sums, committed in nextState.
 *   6. Leaves: AccountLeaf per account, QuadRoot over them equals subtreeRoot.
 */
template BatchSolvency(LEVELS, A, M, T, K) {
    var B = 4 ** LEVELS;
    var P = A * 2 * T + M * (3 * K - 1);
    var S = 2 * A + 2 * M + 2;

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
    signal prevVector[S];
    for (var a = 0; a < A; a++) {
        prevVector[a] <== prevEquity[a];
        prevVector[A + a] <== prevDebt[a];
    }
    for (var m = 0; m < M; m++) {
        prevVector[2 * A + m] <== prevLong[m];
        prevVector[2 * A + M + m] <== prevShort[m];
    }
    prevVector[S - 2] <== prevLastKey;
    prevVector[S - 1] <== batchIndex;
    signal prevHash <== HashVector(S)(prevVector);
    prevState === prevHash;

    component health[B];
    component leaves[B];
    signal isPadding[B];
    signal lastKey[B + 1];
    signal nextVector[S];
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
        RangeCheck(152)(health[i].free);

        // 4. Keys: real accounts strictly increase; padding (key 0) is empty.
        isPadding[i] <== IsZero()(key[i]);
        RangeCheck(64)(keyGap[i]);
        (1 - isPadding[i]) * (key[i] - lastKey[i] - 1 - keyGap[i]) === 0;
        lastKey[i + 1] <== lastKey[i] + (1 - isPadding[i]) * (key[i] - lastKey[i]);
        for (var a = 0; a < A; a++) {
            isPadding[i] * balanceMagnitude[i][a] === 0;
        }
        for (var m = 0; m < M; m++) {
            isPadding[i] * positionMagnitude[i][m] === 0;
        }

        // 5. Totals.
        for (var a = 0; a < A; a++) {
            equityTotal[a] += health[i].equity[a];
            debtTotal[a] += health[i].debt[a];
        }
        for (var m = 0; m < M; m++) {
            longTotal[m] += health[i].long[m];
            shortTotal[m] += health[i].short[m];
        }

        // 6. Leaf.
        leaves[i] = AccountLeaf(A, M);
        leaves[i].key <== key[i];
        leaves[i].salt <== salt[i];
        leaves[i].balanceSign <== balanceSign[i];
        leaves[i].balanceMagnitude <== balanceMagnitude[i];
        leaves[i].positionSign <== positionSign[i];
        leaves[i].positionMagnitude <== positionMagnitude[i];
    }

    for (var a = 0; a < A; a++) {
        nextVector[a] <== equityTotal[a];
        nextVector[A + a] <== debtTotal[a];
    }
    for (var m = 0; m < M; m++) {
        nextVector[2 * A + m] <== longTotal[m];
        nextVector[2 * A + M + m] <== shortTotal[m];
    }
    nextVector[S - 2] <== lastKey[B];
    nextVector[S - 1] <== batchIndex + 1;
    signal nextHash <== HashVector(S)(nextVector);
    nextState === nextHash;

    signal leafValues[B];
    for (var i = 0; i < B; i++) {
        leafValues[i] <== leaves[i].leaf;
    }
    signal computedRoot <== QuadRoot(LEVELS)(leafValues);
    subtreeRoot === computedRoot;
}
