"""Vendor credentials per tenant and provider, encrypted at rest with rotatable keys (MultiFernet)."""
