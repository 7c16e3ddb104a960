"""Pieces every chat adapter shares (no adapter imports another; they all import from here)."""
