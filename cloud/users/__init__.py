"""User administration API; the user model and rules live in cloud.auth."""
