# tests/e2e: filled in by its owner
