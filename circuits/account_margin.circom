pragma circom 2.2.0;

include "lib/account.circom";
include "lib/merkle.circom";
include "lib/params.circom";

/*
 * AvailableAboveThreshold(bits): available >= threshold * 1e14, threshold a 64-bit amount in USD * 1e8 and
 * available = haircut equity - initial margin in USD * 1e22, below 2^157 in magnitude: the difference lies
 * in [0, 2^bits) only if it is non-negative (CLASS_BITS).
 */
template AvailableAboveThreshold(bits) {
    signal input available;
    signal input threshold;
    RangeCheck(64)(threshold);
    RangeCheck(bits)(available - threshold * 100000000000000);
}

/* Inclusion(DEPTH): the leaf lies in the tree under the public root. */
template Inclusion(DEPTH) {
    signal input root;
    signal input leaf;
    signal input siblings[DEPTH][3];
    signal input positionBits[DEPTH][2];
    signal computed <== QuadPathRoot(DEPTH)(leaf, siblings, positionBits);
    root === computed;
}

/* Holder(): the prover knows the secret behind the leaf's holder commitment: HashVector(HOLDER_DOMAIN, secret). */
template Holder() {
    signal input holder;
    signal input secret;
    signal computed <== HashVector(2)([HOLDER_DOMAIN(), secret]);
    holder === computed;
}

/*
 * Nullifier(): nullifier = Poseidon(5)(NULLIFIER_DOMAIN, key, salt, secret, scope): one per record, epoch
 * (the salt) and scope; without the trader's secret nobody can compute it, and two scopes give unrelated values.
 */
template Nullifier() {
    signal input nullifier;
    signal input key;
    signal input salt;
    signal input secret;
    signal input scope;
    signal computed <== Poseidon(5)([NULLIFIER_DOMAIN(), key, salt, secret, scope]);
    nullifier === computed;
}

/*
 * AccountMargin(DEPTH, A, M, S, T, K): a trader's proof about their own account (docs/statement.md,
 * "Account margin circuit").
 *
 * Public inputs
 *   root        the epoch's account root (a 4-ary tree of depth DEPTH)
 *   paramsHash  HashVector of the epoch's parameter vector
 *   threshold   margin available to lend against, USD * 1e8, 64-bit: haircut equity - initial margin
 *   binding     recipient + 2^160 * chainId: who may use the proof, and on which chain
 *   scope       gate + 2^160 * chainId: the contract that spends the nullifier (224 bits)
 *   nullifier   Poseidon(5)(NULLIFIER_DOMAIN, key, salt, secret, scope): one credit per record per epoch
 *               per scope
 * Private inputs besides the record: secret, the trader's holder secret.
 * Functionality
 *   1. The parameters hash to paramsHash.
 *   2. The account is real and standard (0 < key < 2^63) and its leaf lies in the tree under root; the
 *      leaf's second element is Poseidon(2)(salt, holder), sealing the trader's holder commitment into it.
 *   3. value - initial >= threshold * 1e14 (USD * 1e22): haircut equity less the initial margin of every
 *      perpetual and short option; the initial-margin vector opens the parameter vector's second element.
 *   4. The prover knows the secret of the leaf's holder commitment (the venue, which knows the rest of
 *      the leaf's opening, does not).
 *   5. nullifier is derived from the account's key, epoch salt, the secret and the scope; scope < 2^224.
 *   6. binding is a public input of the proof, so the proof is void for any other recipient or chain.
 */
template AccountMargin(DEPTH, A, M, S, T, K) {
    var P = ParamsLength(A, M, S, T, K);

    signal input root;
    signal input paramsHash;
    signal input threshold;
    signal input binding;
    signal input scope;
    signal input nullifier;

    signal input params[P];
    signal input initialParams[InitialLength(M, S, K)];
    signal input key;
    signal input salt;
    signal input holder;
    signal input secret;
    signal input balanceSign[A];
    signal input balanceMagnitude[A];
    signal input positionSign[M];
    signal input positionMagnitude[M];
    signal input optionSign[S];
    signal input optionMagnitude[S];
    signal input tierSel[A - 1][T];
    signal input bracketSel[M][K];
    signal input siblings[DEPTH][3];
    signal input positionBits[DEPTH][2];

    // 1. Parameters.
    component epoch = EpochParameters(A, M, S, T, K);
    epoch.vector <== params;
    epoch.hash <== paramsHash;
    component initialParameters = InitialParameters(M, S, K);
    initialParameters.vector <== initialParams;
    initialParameters.hash <== epoch.initialHash;
    _ <== epoch.riskHash;

    // 2. Inclusion of a real standard account (a key in [1, 2^63): its leaf's first element lies in its
    //    domain, and a portfolio account, whose id carries bit 47, has no margin proof).
    NonZero()(key);
    RangeCheck(63)(key);
    //    The leaf's second element seals the salt with the holder commitment: Poseidon(2)(salt, holder).
    signal sealed <== HashVector(2)([salt, holder]);
    signal leaf <== AccountLeaf(A, M, S)(key, sealed, balanceSign, balanceMagnitude, positionSign,
                                         positionMagnitude, optionSign, optionMagnitude);
    Inclusion(DEPTH)(root, leaf, siblings, positionBits);

    // 3. Haircut equity less initial margin above the threshold.
    component health = AccountHealth(A, M, S, T, K);
    health.balanceSign <== balanceSign;
    health.balanceMagnitude <== balanceMagnitude;
    health.positionSign <== positionSign;
    health.positionMagnitude <== positionMagnitude;
    health.optionSign <== optionSign;
    health.optionMagnitude <== optionMagnitude;
    health.optionMark <== epoch.optionMark;
    health.optionMaintenance <== epoch.optionMaintenance;
    health.price <== epoch.price;
    health.tierFloor <== epoch.tierFloor;
    health.tierRate <== epoch.tierRate;
    health.tierBase <== epoch.tierBase;
    health.mark <== epoch.mark;
    health.bracketFloor <== epoch.bracketFloor;
    health.bracketRate <== epoch.bracketRate;
    health.bracketCum <== epoch.bracketCum;
    health.tierSel <== tierSel;
    health.bracketSel <== bracketSel;
    _ <== health.equity;
    _ <== health.debt;
    _ <== health.optionLong;
    _ <== health.maintenance;
    _ <== health.free;
    signal initial <== InitialMargin(M, S, K)(health.long, health.short, epoch.mark, initialParameters.rate,
                                              initialParameters.cum, bracketSel, health.optionShort,
                                              initialParameters.optionInitial);
    AvailableAboveThreshold(CLASS_BITS())(health.value - initial, threshold);

    // 4. The trader's secret opens the holder commitment (a holder of 0 has no known opening).
    Holder()(holder, secret);

    // 5. Nullifier, scoped to the gate that spends it.
    RangeCheck(224)(scope);
    Nullifier()(nullifier, key, salt, secret, scope);

    // 6. Binding: a public input enters the proof's equation even if no constraint used it;
    //    this square keeps it in the constraint system explicitly (as Semaphore does).
    signal bindingSquare <== binding * binding;
}
