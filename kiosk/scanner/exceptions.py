"""Errors of the scanner package; OpenCV, zxing-cpp, pyzbar and pyserial errors map to these."""

from kiosk.exceptions import KioskError


class ScannerError(KioskError):
    """Base of scanner errors: the scanner device or decoder failed, the shopper cannot scan."""

    code = "scanner_fault"


class DecoderUnavailableError(ScannerError):
    """A configured decoder cannot load (pyzbar without the libzbar0 system library)."""


class ImageReadError(ScannerError):
    """An image file is missing or not an image OpenCV can read."""
