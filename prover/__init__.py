"""zksolvency.prover."""
