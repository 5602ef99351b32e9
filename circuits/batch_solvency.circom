pragma circom 2.2.0;

include "lib/account.circom";
include "lib/merkle.circom";
include "lib/params.circom";

/*
 * ChainState(A, N): HashVector(STATE_DOMAIN, equity[A], debt[A], long[N], short[N], healthy, liquidatable,
 * bankrupt, shortfall, badDebt, lastKey, held, batches, blind) (docs/statement.md, "Chain state"), over
 * N = M + S instruments: the perpetual markets, then the option series.
 * held packs the markets already held by the account of lastKey (bit m for market m), so an account whose
 * records straddle two batches still holds each market in one record. The blind is a prover-chosen random
 * element (0 in the genesis state) so that intermediate states reveal nothing, not even which trailing
 * batches hold only padding.
 */
template ChainState(A, N) {
    signal input equity[A];
    signal input debt[A];
    signal input long[N];
    signal input short[N];
    signal input classes[5];
    signal input lastKey;
    signal input held;
    signal input batches;
    signal input blind;
    signal output hash;

    var L = 2 * A + 2 * N + 10;
    signal vector[L];
    vector[0] <== STATE_DOMAIN();
    for (var a = 0; a < A; a++) {
        vector[1 + a] <== equity[a];
        vector[1 + A + a] <== debt[a];
    }
    for (var m = 0; m < N; m++) {
        vector[1 + 2 * A + m] <== long[m];
        vector[1 + 2 * A + N + m] <== short[m];
    }
    for (var c = 0; c < 5; c++) {
        vector[1 + 2 * A + 2 * N + c] <== classes[c];
    }
    vector[L - 4] <== lastKey;
    vector[L - 3] <== held;
    vector[L - 2] <== batches;
    vector[L - 1] <== blind;
    hash <== HashVector(L)(vector);
}

/*
 * StateOpening(A, M, S): a public chain state is the ChainState of these private values. The last key is
 * given as its account id (48 bits) and subaccount (16 bits), the held markets as M bits.
 */
template StateOpening(A, M, S) {
    signal input state;
    signal input equity[A];
    signal input debt[A];
    signal input long[M + S];
    signal input short[M + S];
    signal input classes[5];
    signal input lastId;
    signal input lastSub;
    signal input held[M];
    signal input batches;
    signal input blind;

    RangeCheck(48)(lastId);
    RangeCheck(16)(lastSub);
    var packed = 0;
    for (var m = 0; m < M; m++) {
        held[m] * (held[m] - 1) === 0;
        packed += held[m] * (2 ** m);
    }
    signal computed <== ChainState(A, M + S)(equity, debt, long, short, classes, lastId * (2 ** 16) + lastSub,
                                         packed, batches, blind);
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
 * AccountOrder(): places a record after the last real record (lastId, lastSub).
 *
 * key = id * 2^16 + sub with sub < 2^16; key 0 marks padding, which leaves the last record as it is.
 * A real record either opens a new account (newAccount = 1: id > lastId) or continues the last one
 * (newAccount = 0: id = lastId and sub > lastSub); the prover's bit is tied to the ids, so each claim
 * is the truth. Keys therefore strictly increase over the epoch (no record twice) and the records of one
 * account are contiguous. Ids need no range check of their own: each step adds less than 2^48 and the
 * audit bounds the last key by 2^64, so every id is below 2^48 (docs/statement.md, "Account order").
 */
template AccountOrder() {
    signal input id;
    signal input sub;
    signal input newAccount;
    signal input lastId;
    signal input lastSub;
    signal output key;
    signal output isPadding;
    signal output isolated;
    signal output nextLastId;
    signal output nextLastSub;

    RangeCheck(16)(sub);
    key <== id * (2 ** 16) + sub;
    isPadding <== IsZero()(key);
    signal cross <== IsZero()(sub);
    isolated <== 1 - cross;
    newAccount * (newAccount - 1) === 0;
    newAccount * isPadding === 0;

    // gap = id - lastId - 1 for a new account, sub - lastSub - 1 for the next record of the same one.
    signal idStep <== newAccount * (id - lastId - sub + lastSub);
    signal gap <== (1 - isPadding) * (sub - lastSub - 1 + idStep);
    RangeCheck(48)(gap);
    signal continues <== (1 - isPadding) * (1 - newAccount);
    continues * (id - lastId) === 0;
    nextLastId <== lastId + (1 - isPadding) * (id - lastId);
    nextLastSub <== lastSub + (1 - isPadding) * (sub - lastSub);
}

/*
 * OneRecordPerHolding(A, M, S): the rule that makes per-record margin the account's margin
 * (docs/statement.md, "One account, one check"). Tiered assets (1..A-1) and options are held only by the
 * cross subaccount (sub 0), of which an account has one record: an isolated subaccount holds the
 * settlement asset and perpetuals. Each market is held by at most one record of an account:
 * heldBefore[m] says an earlier record of this account holds it.
 */
template OneRecordPerHolding(A, M, S) {
    signal input isolated;
    signal input newAccount;
    signal input balanceMagnitude[A];
    signal input positionMagnitude[M];
    signal input optionMagnitude[S];
    signal input heldBefore[M];
    signal output heldAfter[M];

    _ <== balanceMagnitude[0];
    for (var a = 1; a < A; a++) {
        isolated * balanceMagnitude[a] === 0;
    }
    for (var s = 0; s < S; s++) {
        isolated * optionMagnitude[s] === 0;
    }
    signal prior[M];
    signal empty[M];
    for (var m = 0; m < M; m++) {
        prior[m] <== (1 - newAccount) * heldBefore[m];
        prior[m] * positionMagnitude[m] === 0;
        empty[m] <== IsZero()(positionMagnitude[m]);
        heldAfter[m] <== prior[m] + 1 - empty[m];
    }
}

/* PaddingIsEmpty(A, M, S): a padding account holds nothing: every balance and position is 0. */
template PaddingIsEmpty(A, M, S) {
    signal input isPadding;
    signal input balanceMagnitude[A];
    signal input positionMagnitude[M];
    signal input optionMagnitude[S];
    for (var a = 0; a < A; a++) {
        isPadding * balanceMagnitude[a] === 0;
    }
    for (var m = 0; m < M; m++) {
        isPadding * positionMagnitude[m] === 0;
    }
    for (var s = 0; s < S; s++) {
        isPadding * optionMagnitude[s] === 0;
    }
}

/*
 * BatchSolvency(LEVELS, A, M, S, T, K): one batch of B = 4^LEVELS records (docs/statement.md, "Batch circuit").
 *
 * Public inputs
 *   paramsHash   HashVector of the epoch's parameter vector
 *   batchIndex   position of this batch; its subtree is child batchIndex of the epoch tree
 *   prevState    ChainState before the batch, whose batch count is batchIndex
 *   nextState    ChainState after the batch, whose batch count is batchIndex + 1
 *   subtreeRoot  QuadRoot of the batch's account leaves
 * Functionality
 *   1. The parameters hash to paramsHash; prices and marks are 64-bit.
 *   2. The running totals, classes, last record, held markets and blind open prevState.
 *   3. Each record: AccountHealth, and its class (healthy, liquidatable or bankrupt) with its
 *      maintenance shortfall and bad debt.
 *   4. Records are in strict key order, one account's records together; padding (key 0) holds nothing;
 *      tiered assets and options only in cross subaccounts and each market in one record of an account;
 *      every id is below 2^47: no portfolio account (PortfolioBatch) in a standard batch.
 *   5. Totals: equity, debt, long and short sums per asset, market and option series; class counts (padding counts as healthy, so the
 *      number of accounts stays hidden within a batch), shortfall and bad debt sums.
 *   6. nextState commits to the new totals, last record, held markets, batchIndex + 1 and a fresh blind.
 *   7. Leaves: AccountLeaf per record; their QuadRoot is subtreeRoot.
 */
template BatchSolvency(LEVELS, A, M, S, T, K) {
    var B = 4 ** LEVELS;
    var P = ParamsLength(A, M, S, T, K);
    var N = M + S;

    signal input paramsHash;
    signal input batchIndex;
    signal input prevState;
    signal input nextState;
    signal input subtreeRoot;

    signal input params[P];
    signal input prevEquity[A];
    signal input prevDebt[A];
    signal input prevLong[N];
    signal input prevShort[N];
    signal input prevClasses[5];
    signal input prevLastId;
    signal input prevLastSub;
    signal input prevHeld[M];
    signal input prevBlind;
    signal input nextBlind;

    signal input accountId[B];
    signal input subaccount[B];
    signal input newAccount[B];
    signal input salt[B];
    signal input balanceSign[B][A];
    signal input balanceMagnitude[B][A];
    signal input positionSign[B][M];
    signal input positionMagnitude[B][M];
    signal input optionSign[B][S];
    signal input optionMagnitude[B][S];
    signal input tierSel[B][A - 1][T];
    signal input bracketSel[B][M][K];
    signal input healthy[B];
    signal input solvent[B];

    // 1. Parameters.
    component epoch = EpochParameters(A, M, S, T, K);
    epoch.vector <== params;
    epoch.hash <== paramsHash;
    _ <== epoch.initialHash;
    _ <== epoch.riskHash;

    // 2. Opening of the previous state.
    StateOpening(A, M, S)(prevState, prevEquity, prevDebt, prevLong, prevShort, prevClasses, prevLastId,
                       prevLastSub, prevHeld, batchIndex, prevBlind);

    component health[B];
    component class[B];
    component order[B];
    component holding[B];
    component leaves[B];
    signal lastId[B + 1];
    signal lastSub[B + 1];
    signal held[B + 1][M];
    var equityTotal[A] = prevEquity;
    var debtTotal[A] = prevDebt;
    var longTotal[N] = prevLong;
    var shortTotal[N] = prevShort;
    var classTotal[5] = prevClasses;
    lastId[0] <== prevLastId;
    lastSub[0] <== prevLastSub;
    held[0] <== prevHeld;

    for (var i = 0; i < B; i++) {
        // 3. Margin figures and class.
        health[i] = AccountHealth(A, M, S, T, K);
        health[i].balanceSign <== balanceSign[i];
        health[i].balanceMagnitude <== balanceMagnitude[i];
        health[i].positionSign <== positionSign[i];
        health[i].positionMagnitude <== positionMagnitude[i];
        health[i].optionSign <== optionSign[i];
        health[i].optionMagnitude <== optionMagnitude[i];
        health[i].optionMark <== epoch.optionMark;
        health[i].optionMaintenance <== epoch.optionMaintenance;
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
        _ <== health[i].maintenance;
        class[i] = MarginClass(CLASS_BITS());
        class[i].value <== health[i].value;
        class[i].free <== health[i].free;
        class[i].healthy <== healthy[i];
        class[i].solvent <== solvent[i];

        // 4. Order, padding and one record per holding.
        order[i] = AccountOrder();
        order[i].id <== accountId[i];
        order[i].sub <== subaccount[i];
        order[i].newAccount <== newAccount[i];
        order[i].lastId <== lastId[i];
        order[i].lastSub <== lastSub[i];
        lastId[i + 1] <== order[i].nextLastId;
        lastSub[i + 1] <== order[i].nextLastSub;
        PaddingIsEmpty(A, M, S)(order[i].isPadding, balanceMagnitude[i], positionMagnitude[i], optionMagnitude[i]);
        holding[i] = OneRecordPerHolding(A, M, S);
        holding[i].isolated <== order[i].isolated;
        holding[i].newAccount <== newAccount[i];
        holding[i].balanceMagnitude <== balanceMagnitude[i];
        holding[i].positionMagnitude <== positionMagnitude[i];
        holding[i].optionMagnitude <== optionMagnitude[i];
        holding[i].heldBefore <== held[i];
        held[i + 1] <== holding[i].heldAfter;

        // 5. Totals.
        for (var a = 0; a < A; a++) {
            equityTotal[a] += health[i].equity[a];
            debtTotal[a] += health[i].debt[a];
        }
        for (var m = 0; m < M; m++) {
            longTotal[m] += health[i].long[m];
            shortTotal[m] += health[i].short[m];
        }
        for (var s = 0; s < S; s++) {
            longTotal[M + s] += health[i].optionLong[s];
            shortTotal[M + s] += health[i].optionShort[s];
        }
        classTotal[0] += healthy[i];
        classTotal[1] += class[i].liquidatable;
        classTotal[2] += class[i].bankrupt;
        classTotal[3] += class[i].shortfall;
        classTotal[4] += class[i].badDebt;

        // 7. Leaf (the root follows below).
        leaves[i] = AccountLeaf(A, M, S);
        leaves[i].key <== order[i].key;
        leaves[i].salt <== salt[i];
        leaves[i].balanceSign <== balanceSign[i];
        leaves[i].balanceMagnitude <== balanceMagnitude[i];
        leaves[i].positionSign <== positionSign[i];
        leaves[i].positionMagnitude <== positionMagnitude[i];
        leaves[i].optionSign <== optionSign[i];
        leaves[i].optionMagnitude <== optionMagnitude[i];
    }

    // 4. Standard accounts only: ids below 2^47 (a portfolio account's id carries bit 47). Keys increase,
    //    so the last one bounds every real record of the batch.
    RangeCheck(47)(lastId[B]);

    // 6. The next state.
    signal equityAfter[A] <== equityTotal;
    signal debtAfter[A] <== debtTotal;
    signal longAfter[N] <== longTotal;
    signal shortAfter[N] <== shortTotal;
    signal classesAfter[5] <== classTotal;
    StateOpening(A, M, S)(nextState, equityAfter, debtAfter, longAfter, shortAfter, classesAfter, lastId[B],
                       lastSub[B], held[B], batchIndex + 1, nextBlind);

    // 7. The subtree root.
    signal leafValues[B];
    for (var i = 0; i < B; i++) {
        leafValues[i] <== leaves[i].leaf;
    }
    SubtreeRoot(LEVELS)(subtreeRoot, leafValues);
}
