# attnbio motifs, P2: motif pairs from attention vs attributions + TF-MoDISco (README.md, Benchmark 2).
BENCH += bench-motifs-grammar
.PHONY: bench-motifs-grammar

bench-motifs-grammar: $(STAMP)
	$(BIN)/pip install -q -r requirements-bench.txt -c constraints.txt
	$(BIN)/python benchmarks/motifs_grammar.py --seeds 0 1 2 --threads 2
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow tests/motifs/test_grammar.py
