"""The manager console and the staff alerts view: server-rendered Jinja2 pages with htmx."""
