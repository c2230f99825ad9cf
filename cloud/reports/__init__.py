"""Reports: sales aggregates kept on ingest, and every report as JSON, CSV, SVG or print."""
