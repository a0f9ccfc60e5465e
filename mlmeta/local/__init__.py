"""The local harness: laptop-only code that runs the handlers in this process against an embedded AWS
(a moto server) or a given emulator, never real AWS (docs/architecture.md, "The packages").

- ``replay`` (with ``event_files``, ``event_size``, ``deployment``): ``mlmeta replay``'s engine;
- ``emulator``: the embedded moto server or a given endpoint, and what the handlers see of it;
- ``moto_gaps``, ``missing_entities``: what moto lacks of SageMaker, filled in or reported;
- ``handler_loader``, ``checkout``: the real handler, stack and step code, imported from the checkout;
- ``demo`` (``mlmeta demo``), ``rehearsal`` (``mlmeta rehearse``); ``synthetic_lake``: a generated lake.

Only this package (and tests/, bench/) imports moto; of ``mlmeta/``, only ``mlmeta.cli`` imports this
package, lazily, so that the library and the lake's commands run without it (tests/test_import_directions.py).
Nothing is imported here.
"""
