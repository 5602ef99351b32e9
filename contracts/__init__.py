"""The contracts' Python side: generated verifiers and Poseidon hashers, compiling, deploying, web3 glue."""
