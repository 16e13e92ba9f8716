"""Evaluation against ground-truth transcriptions. Independent of everything that makes text."""
