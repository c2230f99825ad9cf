"""Purchase orders: from reorder suggestion to goods received, returned and paid."""
