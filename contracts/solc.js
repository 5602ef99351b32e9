// Compiles Solidity standard JSON read from stdin with the pinned solc-js (package.json: solc 0.8.37)
// and writes the standard JSON output to stdout. Imports are not resolved: pass every source inline.
"use strict";
const solc = require("solc");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
    process.stdout.write(solc.compile(input));
});
