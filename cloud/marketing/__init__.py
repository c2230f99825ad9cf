"""Marketing: RFM segments, recommendations, campaigns and notification channels."""
