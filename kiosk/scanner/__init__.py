"""Scanning for the kiosk: camera (OpenCV + zxing-cpp + pyzbar) or serial scanner, GS1 via biip.

Entry points: :class:`kiosk.scanner.service.ScannerService` (the node service),
:func:`kiosk.scanner.pipeline.decode_frame` (one frame), :func:`kiosk.scanner.gs1.interpret`
(one decoded text). Importing this package loads no decoder and opens no device.
"""
