"""Readers and writers: vector files, DBF encodings, atomic output."""
