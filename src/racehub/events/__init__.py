"""Event editions and their races, as the API shows them."""
