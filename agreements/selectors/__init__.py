"""Reads, written once and used by every output: the pages (agreements.views), the
API (agreements.api) and the documents (agreements.pdf) import from here, never
from one another. Writes and their rules live in agreements.services.
"""
