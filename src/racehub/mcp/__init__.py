"""RaceHub as an MCP server (streamable HTTP at `/mcp`) for other assistants."""
