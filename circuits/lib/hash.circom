pragma circom 2.2.0;

include "circomlib/circuits/poseidon.circom";

/*
 * HashVector(n): the one way zksolvency hashes a vector of n field elements (docs/statement.md,
 * "Hashing"). n <= 12: Poseidon(n)(v). n > 12: h = Poseidon(12)(v[0..11]), then for each next
 * chunk c of at most 11 elements h = Poseidon(1 + |c|)(h, c). Every use has a fixed n.
 */
template HashVector(n) {
    signal input in[n];
    signal output out;

    if (n <= 12) {
        out <== Poseidon(n)(in);
    } else {
        var chunks = 1 + (n - 12 + 10) \ 11;
        signal running[chunks];
        running[0] <== Poseidon(12)([in[0], in[1], in[2], in[3], in[4], in[5],
                                      in[6], in[7], in[8], in[9], in[10], in[11]]);
        component step[chunks - 1];
        var pos = 12;
        for (var c = 1; c < chunks; c++) {
            var size = n - pos < 11 ? n - pos : 11;
            step[c - 1] = Poseidon(size + 1);
            step[c - 1].inputs[0] <== running[c - 1];
            for (var i = 0; i < size; i++) {
                step[c - 1].inputs[1 + i] <== in[pos + i];
            }
            running[c] <== step[c - 1].out;
            pos += size;
        }
        out <== running[chunks - 1];
    }
}
