"""Model clients, one module per provider's wire format."""
