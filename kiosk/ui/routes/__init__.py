"""One router per concern of the screen; :func:`kiosk.ui.app.create_app` includes them all."""
