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

/*
 * Hash domains (docs/statement.md, "Hashing"): the ASCII bytes of "zksolvency/<kind>". A tree node
 * hashes NODE_DOMAIN before its children, a chain state starts with STATE_DOMAIN, and a leaf's first
 * element is key + 2^64 * LEAF_DOMAIN (keys are below 2^64): no preimage of one kind is one of another.
 * A holder commitment is HashVector(HOLDER_DOMAIN, secret) and a margin proof's nullifier hashes
 * NULLIFIER_DOMAIN first.
 */
function LEAF_DOMAIN() { return 0x7a6b736f6c76656e63792f6c656166; }
function NODE_DOMAIN() { return 0x7a6b736f6c76656e63792f6e6f6465; }
function STATE_DOMAIN() { return 0x7a6b736f6c76656e63792f7374617465; }
function INITIAL_DOMAIN() { return 0x7a6b736f6c76656e63792f696e697469616c; }
function RISK_DOMAIN() { return 0x7a6b736f6c76656e63792f7269736b; }
function HOLDER_DOMAIN() { return 0x7a6b736f6c76656e63792f686f6c646572; }
function NULLIFIER_DOMAIN() { return 0x7a6b736f6c76656e63792f6e756c6c6966696572; }
