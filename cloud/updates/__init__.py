"""Node software updates: signed bundles, releases and staged rollouts (issue 22)."""
