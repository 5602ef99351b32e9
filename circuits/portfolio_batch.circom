pragma circom 2.2.0;

include "batch_solvency.circom";
include "lib/portfolio.circom";

/*
 * PortfolioRecord(): a portfolio record's place in the epoch (docs/statement.md, "Portfolio margin").
 * A portfolio account is one record, subaccount 0, whose key id carries bit 47: every real record opens a
 * new account (newAccount = 1 - isPadding) with id in [2^47, 2^48), so each portfolio account is checked
 * once, on its whole holding, and sorts after every standard account (whose ids are below 2^47).
 */
template PortfolioRecord() {
    signal input id;
    signal input newAccount;
    signal input lastId;
    signal input lastSub;
    signal output key;
    signal output isPadding;
    signal output nextLastId;
    signal output nextLastSub;

    component order = AccountOrder();
    order.id <== id;
    order.sub <== 0;
    order.newAccount <== newAccount;
    order.lastId <== lastId;
    order.lastSub <== lastSub;
    newAccount === 1 - order.isPadding;
    signal flagged <== newAccount * (id - 2 ** 47);
    RangeCheck(47)(flagged);
    _ <== order.isolated;
    key <== order.key;
    isPadding <== order.isPadding;
    nextLastId <== order.nextLastId;
    nextLastSub <== order.nextLastSub;
}

/*
 * PortfolioBatch(LEVELS, A, M, S, T, K, C): one batch of B = 4^LEVELS portfolio records, chained with the
 * standard batches (BatchSolvency) into one state and one tree (docs/statement.md, "Portfolio margin").
 *
 * Public inputs: those of BatchSolvency (paramsHash, batchIndex, prevState, nextState, subtreeRoot).
 * Functionality
 *   1. The parameters hash to paramsHash; the risk vector hashes to its third element.
 *   2. The running totals, classes, last record, held markets and blind open prevState.
 *   3. Each record: AccountValue (the standard haircut equity; position sizes range-checked here), its
 *      scenario group (ScenarioGroup: every derivative on one underlying, only that underlying's spot
 *      shocked), its scenario requirement R = max(0, max_s loss_s) over the C scenarios (ScenarioMargin),
 *      MM = R * mmRatio (ppm, so USD * 1e22), and its class on MM. The eligibility rule: haircut equity
 *      >= minEquity (so a portfolio record is never bankrupt) and one scenario group; padding is exempt.
 *   4. PortfolioRecord: one record per account, ids with bit 47, strict key order; padding holds nothing.
 *   5-7. Totals, next state and leaves exactly as BatchSolvency.
 */
template PortfolioBatch(LEVELS, A, M, S, T, K, C) {
    var B = 4 ** LEVELS;
    var P = ParamsLength(A, M, S, T, K);
    var RL = RiskLength(A, M, S, C);
    var I = A - 1 + M + S;
    var N = M + S;

    signal input paramsHash;
    signal input batchIndex;
    signal input prevState;
    signal input nextState;
    signal input subtreeRoot;

    signal input params[P];
    signal input risk[RL];
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
    signal input newAccount[B];
    signal input salt[B];
    signal input balanceSign[B][A];
    signal input balanceMagnitude[B][A];
    signal input positionSign[B][M];
    signal input positionMagnitude[B][M];
    signal input optionSign[B][S];
    signal input optionMagnitude[B][S];
    signal input tierSel[B][A - 1][T];
    signal input group[B];
    signal input worst[B][C + 1];
    signal input healthy[B];

    // 1. Parameters and the risk vector.
    component epoch = EpochParameters(A, M, S, T, K);
    epoch.vector <== params;
    epoch.hash <== paramsHash;
    _ <== epoch.initialHash;
    _ <== epoch.bracketFloor;
    _ <== epoch.bracketRate;
    _ <== epoch.bracketCum;
    _ <== epoch.optionMaintenance;
    component grid = RiskParameters(A, M, S, C);
    grid.vector <== risk;
    grid.hash <== epoch.riskHash;

    // 2. Opening of the previous state.
    StateOpening(A, M, S)(prevState, prevEquity, prevDebt, prevLong, prevShort, prevClasses, prevLastId,
                       prevLastSub, prevHeld, batchIndex, prevBlind);

    component value[B];
    component exposure[B];
    component scenario[B];
    component class[B];
    component record[B];
    component holding[B];
    component leaves[B];
    signal maintenance[B];
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
        // 3. Haircut equity, scenario requirement, eligibility and class.
        for (var m = 0; m < M; m++) {
            RangeCheck(64)(positionMagnitude[i][m]);
        }
        value[i] = AccountValue(A, M, S, T);
        value[i].balanceSign <== balanceSign[i];
        value[i].balanceMagnitude <== balanceMagnitude[i];
        value[i].positionSign <== positionSign[i];
        value[i].positionMagnitude <== positionMagnitude[i];
        value[i].optionSign <== optionSign[i];
        value[i].optionMagnitude <== optionMagnitude[i];
        value[i].price <== epoch.price;
        value[i].tierFloor <== epoch.tierFloor;
        value[i].tierRate <== epoch.tierRate;
        value[i].tierBase <== epoch.tierBase;
        value[i].mark <== epoch.mark;
        value[i].optionMark <== epoch.optionMark;
        value[i].tierSel <== tierSel[i];

        exposure[i] = ScenarioGroup(A, M, S);
        for (var a = 1; a < A; a++) {
            exposure[i].quantity[a - 1] <== value[i].equity[a] - value[i].debt[a];
        }
        for (var m = 0; m < M; m++) {
            exposure[i].quantity[A - 1 + m] <== value[i].long[m] - value[i].short[m];
        }
        for (var s = 0; s < S; s++) {
            exposure[i].quantity[A - 1 + M + s] <== value[i].optionLong[s] - value[i].optionShort[s];
        }
        exposure[i].group <== grid.group;
        exposure[i].chosen <== group[i];
        scenario[i] = ScenarioMargin(I, C);
        scenario[i].quantity <== exposure[i].shocked;
        scenario[i].risk <== grid.risk;
        scenario[i].worst <== worst[i];
        maintenance[i] <== scenario[i].required * grid.mmRatio;

        record[i] = PortfolioRecord();
        record[i].id <== accountId[i];
        record[i].newAccount <== newAccount[i];
        record[i].lastId <== lastId[i];
        record[i].lastSub <== lastSub[i];
        lastId[i + 1] <== record[i].nextLastId;
        lastSub[i + 1] <== record[i].nextLastSub;

        // Eligibility as the solvency test: value - minEquity * 1e14 >= 0 for a real record.
        class[i] = MarginClass(CLASS_BITS());
        class[i].value <== value[i].value - newAccount[i] * grid.minEquity * 100000000000000;
        class[i].free <== value[i].value - maintenance[i];
        class[i].healthy <== healthy[i];
        class[i].solvent <== 1;
        _ <== class[i].bankrupt;
        _ <== class[i].badDebt;

        // 4. Padding holds nothing; the held markets carried as BatchSolvency carries them.
        PaddingIsEmpty(A, M, S)(record[i].isPadding, balanceMagnitude[i], positionMagnitude[i],
                                optionMagnitude[i]);
        holding[i] = OneRecordPerHolding(A, M, S);
        holding[i].isolated <== 0;
        holding[i].newAccount <== newAccount[i];
        holding[i].balanceMagnitude <== balanceMagnitude[i];
        holding[i].positionMagnitude <== positionMagnitude[i];
        holding[i].optionMagnitude <== optionMagnitude[i];
        holding[i].heldBefore <== held[i];
        held[i + 1] <== holding[i].heldAfter;

        // 5. Totals.
        for (var a = 0; a < A; a++) {
            equityTotal[a] += value[i].equity[a];
            debtTotal[a] += value[i].debt[a];
        }
        for (var m = 0; m < M; m++) {
            longTotal[m] += value[i].long[m];
            shortTotal[m] += value[i].short[m];
        }
        for (var s = 0; s < S; s++) {
            longTotal[M + s] += value[i].optionLong[s];
            shortTotal[M + s] += value[i].optionShort[s];
        }
        classTotal[0] += healthy[i];
        classTotal[1] += class[i].liquidatable;
        classTotal[3] += class[i].shortfall;

        // 7. Leaf.
        leaves[i] = AccountLeaf(A, M, S);
        leaves[i].key <== record[i].key;
        leaves[i].salt <== salt[i];
        leaves[i].balanceSign <== balanceSign[i];
        leaves[i].balanceMagnitude <== balanceMagnitude[i];
        leaves[i].positionSign <== positionSign[i];
        leaves[i].positionMagnitude <== positionMagnitude[i];
        leaves[i].optionSign <== optionSign[i];
        leaves[i].optionMagnitude <== optionMagnitude[i];
    }

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
