# tests/card: filled in by its owner
