"""Software updates on the node: verified A/B install, switch when idle, self-test, go back."""
