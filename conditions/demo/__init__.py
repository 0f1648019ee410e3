"""Demo content, written fresh from shared/content-notes. Each module has load(author, reviewer)."""
