"""Sample documents for the demo ministry, the tests and the benchmark (generated, French)."""
