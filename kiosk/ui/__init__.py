"""The touchscreen page: FastAPI + a WebSocket of live cart state; plain HTML/CSS/JS assets."""
