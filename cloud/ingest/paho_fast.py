"""A faster PUBLISH decoder for paho-mqtt 2.x, installed by the ingest worker (decision 0260).

For every MQTT 5 PUBLISH paho builds a ``Properties`` object (two tables of ~27 entries made
in ``__init__``, then ``clear`` and ``unpack``) and copies the payload three times: about a
third of the ≈45 µs the worker's network thread spends on each message while holding the
interpreter lock that the decode and apply threads need. Node events carry no properties, so
when the property length is 0 the packet is decoded here, with a copy of one empty
``Properties``; anything else (properties present, MQTT 3, a malformed packet) goes to paho's
own ``decode_publish`` unchanged. tests/cloud/ingest/test_paho_fast.py holds it equal to
paho's function (hypothesis), and :func:`install` leaves paho alone when its internals are
not the ones this was written against.
"""

from __future__ import annotations

import copy
import logging
import struct
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

_original: Callable[..., Any] | None = None  # paho's own decoder while ours is installed


def fast_decoder(original: Callable[..., Any]) -> Callable[..., Any]:
    """``decode_publish`` with the no-properties MQTT 5 case done here, else ``original``."""
    from paho.mqtt._packet import PublishPacket
    from paho.mqtt.enums import MQTTProtocolVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    empty = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    v5, unpack_from = MQTTProtocolVersion.MQTTv5, struct.unpack_from

    def decode_publish(header: int, packet: bytes | bytearray, protocol: Any) -> Any:
        if protocol != v5:
            return original(header, packet, protocol)
        try:
            qos = (header & 0x06) >> 1
            (size,) = unpack_from("!H", packet, 0)
            at = 2 + size
            if len(packet) < at + (3 if qos else 1):
                return original(header, packet, protocol)
            mid = 0
            if qos:
                (mid,) = unpack_from("!H", packet, at)
                at += 2
            if packet[at] != 0:  # properties present: paho reads them
                return original(header, packet, protocol)
        except (struct.error, IndexError):
            return original(header, packet, protocol)  # raises paho's MalformedPacket
        return PublishPacket(
            dup=bool(header & 0x08),
            qos=qos,
            retain=bool(header & 0x01),
            topic=bytes(packet[2 : 2 + size]),
            mid=mid,
            properties=copy.copy(empty),
            payload=bytes(packet[at + 1 :]),
        )

    return decode_publish


def install() -> bool:
    """Put the fast decoder in paho's packet module (once per process); False when this
    paho does not decode PUBLISH through ``_packet.decode_publish`` as 2.x does."""
    global _original
    if _original is not None:
        return True
    try:
        from paho.mqtt import _packet, client
    except ImportError:
        return False
    original = getattr(_packet, "decode_publish", None)
    used = getattr(client, "_packet", None) is _packet
    if original is None or not hasattr(_packet, "PublishPacket") or not used:
        log.info("paho-mqtt without _packet.decode_publish: its own PUBLISH decoder stays")
        return False
    _packet.decode_publish = fast_decoder(original)
    _original = original
    return True


def uninstall() -> None:
    """Give paho its own decoder back (``ingest_lean_decode: false``, the operator's way out)."""
    global _original
    if _original is None:
        return
    from paho.mqtt import _packet

    _packet.decode_publish = _original
    _original = None


def installed() -> bool:
    return _original is not None


def use(lean: bool) -> None:
    """The worker's switch (``ingest_lean_decode``): ours where paho allows it, else paho's."""
    if lean:
        install()
    else:
        uninstall()
