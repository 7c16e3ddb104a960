"""Builders of the bundled demo catalog: tables as data, one small module per group of categories."""
