"""Exports for analysts: the response frame, its CSV and XLSX writers, and the `export` CLI group."""
