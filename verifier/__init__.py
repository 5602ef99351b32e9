"""zksolvency.verifier."""
