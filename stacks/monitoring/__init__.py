"""Constructs of the monitoring stack: model-metric drift alarms and the environment's dashboard."""
