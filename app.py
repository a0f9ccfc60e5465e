#!/usr/bin/env python3
"""CDK entry point: ``cdk synth -c env=NAME`` (or plain ``python app.py``, which means dev).

The environment is chosen here, once, and passed down as typed settings.
"""

from __future__ import annotations

import sys

from mlmeta.config import DEFAULT_ENVIRONMENT, UnknownEnvironmentError, get_environment
from mlmeta.config.settings import SettingsError
from mlmeta.queries.catalog import QueryError, load_queries
from stacks.mlmeta_app import build, create_app
from stacks.common.compliant_names import NonCompliantName


def main() -> int:
    app = create_app()
    name = app.node.try_get_context("env")
    try:
        settings = get_environment(DEFAULT_ENVIRONMENT if name is None else str(name))
        queries = load_queries()
        build(app, settings, list(queries.values()))
    except (UnknownEnvironmentError, QueryError, NonCompliantName, SettingsError) as err:
        # A configuration mistake: one line naming it, not a traceback.
        print(err, file=sys.stderr)
        return 1
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
