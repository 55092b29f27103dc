"""Streaming scans of a trained motif model over FASTA shards, and merging shard outputs.

stream.py runs the model batch by batch; store.py writes scores.tsv, sites.tsv and scan.h5
incrementally; merge.py concatenates shard outputs; split.py cuts a FASTA into shards.
"""
