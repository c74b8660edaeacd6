"""Chat: the OpenAI-compatible API (Open WebUI, the web page, the mobile app) and chat-initiated login."""
