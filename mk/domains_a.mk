# Secondary commands oddoneout, gan, fusion, forecast: comparison tables quoted in docs/domains_a.md.
BENCH += bench-domains-a

.PHONY: bench-domains-a
bench-domains-a: $(STAMP)
	$(BIN)/python benchmarks/fusion.py
	$(BIN)/python benchmarks/forecast.py
	$(BIN)/python benchmarks/oddoneout.py
	$(BIN)/python benchmarks/gan.py
