# attnbio scan and workflows/: throughput and peak memory of the streaming scan (vs reading all
# at once) and the slow kill -9 / resume test of the Snakemake workflow. docs/workflows.md quotes it.
BENCH += bench-scan
SCAN_THREADS ?= 1
.PHONY: bench-scan

bench-scan: $(STAMP)
	$(BIN)/python benchmarks/scan_throughput.py --threads $(SCAN_THREADS) --lengths 200,1000 --counts 10000,100000,1000000
	$(BIN)/python benchmarks/scan_throughput.py --threads $(SCAN_THREADS) --small --lengths 200 --counts 10000,100000,1000000
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow tests/workflows
