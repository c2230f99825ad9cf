"""Console page routers, one module per area."""
