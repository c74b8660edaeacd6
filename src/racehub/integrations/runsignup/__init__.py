"""runsignup integration: client.py (the vendor's HTTP API), simulator.py (a local fake of it)."""
