"""Receipt printing: pure layout (receipt.py), ESC/POS rendering (render.py), transports
(backends.py) and the :class:`~kiosk.printer.service.Printer` service with fault mapping."""
