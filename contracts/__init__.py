"""The shared language of edge and cloud: topics, messages, price book, pricing.

Imports nothing else of ours, so both sides can depend on it.
"""

SCHEMA_VERSION = 1
