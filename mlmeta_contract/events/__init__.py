"""The event contract: what the EventBridge rules (synth), the handlers (Lambda), ``mlmeta replay`` and
the demo (laptop) must agree on, written once. ``detail_types``: the sources, detail-types, statuses and
actions of the events; ``routes``: which events go to which handler (the rules as data);
``environment``: the handlers' names, service names and environment variables. Standard library only."""
