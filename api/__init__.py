"""zksolvency.api."""
