"""Turn the files in `corpus/` into cleaned, chunked, embedded passages in the index."""
