"""Staff tasks (SPEC §4 Staff): restock tasks that follow the shelf's low/out alerts, stocktake,
pick, device checks and custom tasks; assign, start, done; due times and overdue escalation."""
