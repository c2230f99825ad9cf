"""The kiosk node's shell: the pure checkout (:mod:`kiosk.domain`) behind one lock
(:mod:`.session`), and the parts that do I/O around it, each built with what it needs
(:mod:`.parts`): printing, payments, members, scanning, attendant, suspending, returns and
bagging. The devices they use come from the config (:mod:`.devices`)."""
