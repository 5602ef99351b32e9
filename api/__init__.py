"""zksolvency.api: the HTTP service (`zksolvency serve`) and the console script's root app; docs/api.md."""
