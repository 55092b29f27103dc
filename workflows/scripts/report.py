"""Snakemake `script:` for rule report: report.tsv from the merged scan and the shards' benchmarks."""
from attnbio.io.tables import write_tsv
from attnbio.scan.report import summarize

rows = summarize(snakemake.input.h5, list(snakemake.input.benchmarks))  # noqa: F821 - injected by snakemake
write_tsv(snakemake.output[0], ["metric", "value"], rows)  # noqa: F821
with open(snakemake.log[0], "w") as log:  # noqa: F821
    for metric, value in rows:
        print(f"{metric}\t{value}", file=log)
