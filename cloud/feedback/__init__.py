"""Shoppers' feedback (SPEC §4): members and anonymous shoppers write from the e-receipt page
or the API; the console answers, assigns and closes it; ratings roll up into reports."""
