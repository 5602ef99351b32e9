// Poseidon over BN254 as circomlib computes it (circomlibjs's poseidon_opt), in BigInt JavaScript,
// with circomlib's own constants (served as /trader/poseidon-constants.json), and the statement's
// vector hash. Works in the browser (window.ZkPoseidon) and in Node (module.exports).
(function (root) {
  "use strict";
  const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
  const FULL_ROUNDS = 8;
  const PARTIAL_ROUNDS = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];
  const MAX_WIDTH = 12;
  let tables = null;

  const mod = (a) => ((a % R) + R) % R;
  const pow5 = (a) => {
    const a2 = (a * a) % R;
    return (((a2 * a2) % R) * a) % R;
  };

  function load(json) {
    tables = {};
    for (const [t, k] of Object.entries(json)) {
      tables[t] = {
        C: k.C.map(BigInt),
        S: k.S.map(BigInt),
        M: k.M.map((row) => row.map(BigInt)),
        P: k.P.map((row) => row.map(BigInt)),
      };
    }
  }

  function mix(state, matrix) {
    const t = state.length;
    const out = new Array(t);
    for (let i = 0; i < t; i++) {
      let acc = 0n;
      for (let j = 0; j < t; j++) acc += matrix[j][i] * state[j];
      out[i] = acc % R;
    }
    return out;
  }

  function poseidon(inputs) {
    if (!tables) throw new Error("Poseidon constants are not loaded");
    if (inputs.length < 1 || inputs.length > MAX_WIDTH) throw new Error("Poseidon takes 1..12 inputs");
    const t = inputs.length + 1;
    const { C, S, M, P } = tables[String(t)];
    const nP = PARTIAL_ROUNDS[t - 2];
    const half = FULL_ROUNDS / 2;
    let state = [0n, ...inputs.map((x) => {
      const v = BigInt(x);
      if (v < 0n || v >= R) throw new Error("Poseidon input is not a field element");
      return v;
    })];
    state = state.map((a, i) => mod(a + C[i]));
    for (let r = 0; r < half - 1; r++) {
      state = state.map((a, i) => mod(pow5(a) + C[(r + 1) * t + i]));
      state = mix(state, M);
    }
    state = state.map((a, i) => mod(pow5(a) + C[half * t + i]));
    state = mix(state, P);
    for (let r = 0; r < nP; r++) {
      state[0] = mod(pow5(state[0]) + C[(half + 1) * t + r]);
      const base = (2 * t - 1) * r;
      let s0 = 0n;
      for (let j = 0; j < t; j++) s0 += S[base + j] * state[j];
      for (let k = 1; k < t; k++) state[k] = mod(state[k] + state[0] * S[base + t + k - 1]);
      state[0] = s0 % R;
    }
    for (let r = 0; r < half - 1; r++) {
      state = state.map((a, i) => mod(pow5(a) + C[(half + 1) * t + nP + r * t + i]));
      state = mix(state, M);
    }
    state = state.map(pow5);
    state = mix(state, M);
    return state[0];
  }

  // HashVector of the statement: Poseidon for up to 12 elements, else a chain of Poseidon(<=12).
  function hashVector(values) {
    if (values.length <= MAX_WIDTH) return poseidon(values);
    let running = poseidon(values.slice(0, MAX_WIDTH));
    for (let start = MAX_WIDTH; start < values.length; start += MAX_WIDTH - 1) {
      running = poseidon([running, ...values.slice(start, start + MAX_WIDTH - 1)]);
    }
    return running;
  }

  const api = { R, load, poseidon, hashVector };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.ZkPoseidon = api;
})(typeof window !== "undefined" ? window : globalThis);
