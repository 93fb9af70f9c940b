"""Ready-made demo projects, used by `make run` and the README's walk-through."""
