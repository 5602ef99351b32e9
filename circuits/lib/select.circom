pragma circom 2.2.0;

/*
 * One-hot selectors. A prover-chosen selector is never trusted by itself: OneHot makes it a
 * valid one-hot vector, and every caller ties the selected entry to the data it describes
 * (attack 5 of prior-art.md: an unconstrained tier selector).
 */

template OneHot(n) {
    signal input sel[n];
    var total = 0;
    for (var i = 0; i < n; i++) {
        sel[i] * (sel[i] - 1) === 0;
        total += sel[i];
    }
    total === 1;
}

/* Select(n): out = values[j] for the one-hot sel (sel is constrained by the caller). */
template Select(n) {
    signal input sel[n];
    signal input values[n];
    signal output out;
    signal term[n];
    var total = 0;
    for (var i = 0; i < n; i++) {
        term[i] <== sel[i] * values[i];
        total += term[i];
    }
    out <== total;
}
