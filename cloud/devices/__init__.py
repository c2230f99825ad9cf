"""Edge nodes of each store: registry, online state (boot-aware) and inactivity sweep."""
