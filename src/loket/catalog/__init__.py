"""Catalog: the SOP versions installed in this system, each kept with its content hash."""
