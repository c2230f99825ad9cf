"""The kiosk node carries the update agent when its config has ``updates:``: the ``update``
command, the running version as ``software_version``, the last update in the retained state,
and idle only between customers."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud.updates.build import build_bundle, public_key_text
from contracts.bundles import load_public_key
from edge.updates.agent import UpdateAgent
from edge.updates.slots import KNOWN_GOOD, Slots
from edge.updates.state import save_state, trial_state
from kiosk.service import build_node
from tests.kiosk.node import kiosk_config
from tests.support.bundles import node_source


def test_kiosk_wires_the_update_agent(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    bundle = tmp_path / "b.tar"
    build_bundle(version="1.0.0", source=node_source(tmp_path / "src", "1.0.0"),
                 wheelhouse=None, key=key, out=bundle)  # fmt: skip
    root = tmp_path / "opt"
    slots = Slots(root)
    slots.install(bundle, load_public_key(public_key_text(key)), kind="kiosk", running=None)
    slots.switch("1.0.0")
    slots.switch("1.0.0", KNOWN_GOOD)
    save_state(root, trial_state("1.0.0", None, "7", 60))
    config = kiosk_config(tmp_path, updates={"root": str(root), "public_key": public_key_text(key)})
    node = build_node(config)
    try:
        agents = [s for s in node.services if isinstance(s, UpdateAgent)]
        assert len(agents) == 1
        assert node.services[-1] is agents[0]  # after the link
        assert "update" in node.router.commands
        state = node.link.node_state(online=True)
        assert state.software_version == "1.0.0"
        assert state.update is not None
        assert (state.update.status, state.update.rollout) == ("trial", "7")
        assert agents[0].idle()  # no cart yet
    finally:
        node.outbox.close()


def test_without_updates_section_there_is_no_agent(tmp_path: Path) -> None:
    node = build_node(kiosk_config(tmp_path))
    try:
        assert not any(isinstance(s, UpdateAgent) for s in node.services)
        assert "update" not in node.router.commands
    finally:
        node.outbox.close()
