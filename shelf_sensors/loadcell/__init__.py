"""Load cell sources behind one Protocol: HX711 over GPIO, a serial microcontroller, a fake."""
