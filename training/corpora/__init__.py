"""Corpus builders: turn each data set under a data directory into labelled examples."""
