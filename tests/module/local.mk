# tests/module: filled in by its owner
