pragma circom 2.2.0;

include "hash.circom";

/*
 * Quaternary Poseidon Merkle trees: a node is Poseidon(5)(NODE_DOMAIN, child0, child1, child2, child3).
 * A 4-ary tree spends about 110 constraints per leaf against about 240 for a binary one.
 */

/* QuadRoot(levels): the root over 4^levels leaves, in order. */
template QuadRoot(levels) {
    var n = 4 ** levels;
    signal input leaves[n];
    signal output root;

    if (levels == 0) {
        root <== leaves[0];
    } else {
        var width = n \ 4;
        signal parents[width];
        for (var i = 0; i < width; i++) {
            parents[i] <== Poseidon(5)([NODE_DOMAIN(), leaves[4 * i], leaves[4 * i + 1], leaves[4 * i + 2], leaves[4 * i + 3]]);
        }
        root <== QuadRoot(levels - 1)(parents);
    }
}

/*
 * QuadPathRoot(depth): the root reached from `leaf` by a path of `depth` levels.
 * At level l the node sits at position pos[l] in {0,1,2,3} (two bits, least significant first)
 * among its three siblings, which are listed in the order of the positions they occupy.
 */
template QuadPathRoot(depth) {
    signal input leaf;
    signal input siblings[depth][3];
    signal input positionBits[depth][2];
    signal output root;

    signal node[depth + 1];
    signal both[depth];
    signal q[depth][4];
    signal children[depth][4];
    signal below[depth][4];
    signal above[depth][4];
    node[0] <== leaf;
    for (var l = 0; l < depth; l++) {
        var b0 = positionBits[l][0];
        var b1 = positionBits[l][1];
        b0 * (b0 - 1) === 0;
        b1 * (b1 - 1) === 0;
        both[l] <== b0 * b1;
        q[l][0] <== 1 - b0 - b1 + both[l];
        q[l][1] <== b0 - both[l];
        q[l][2] <== b1 - both[l];
        q[l][3] <== both[l];
        // child i is the node itself at its position, else the sibling before or after it.
        for (var i = 0; i < 4; i++) {
            var before = 0;
            for (var j = 0; j < i; j++) { before += q[l][j]; }
            var after = 0;
            for (var j = i + 1; j < 4; j++) { after += q[l][j]; }
            below[l][i] <== i > 0 ? before * siblings[l][i - 1] : 0;
            above[l][i] <== i < 3 ? after * siblings[l][i] : 0;
            children[l][i] <== q[l][i] * node[l] + below[l][i] + above[l][i];
        }
        node[l + 1] <== Poseidon(5)([NODE_DOMAIN(), children[l][0], children[l][1], children[l][2], children[l][3]]);
    }
    root <== node[depth];
}
