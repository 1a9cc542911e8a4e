"""Controllers: one module per real Kubernetes controller (see registry.CONTROLLERS)."""
