# Benchmarks of the secondary commands pde, rl and causal (each prints a table vs its baseline).
BENCH += bench-domains-b

.PHONY: bench-domains-b
bench-domains-b: $(STAMP)
	$(BIN)/python benchmarks/pde.py
	$(BIN)/python benchmarks/rl.py
	$(BIN)/python benchmarks/causal.py
