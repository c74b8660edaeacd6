"""RaceHub as an OpenAPI tool server (at `/tools`) for Open WebUI and other assistants."""
