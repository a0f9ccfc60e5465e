# mlmeta: every target installs what it needs (Python venv, pinned CDK CLI) on a fresh machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# Python 3.13, the Lambda runtime's (mlmeta/config/lambda_runtime.py): the tests run the handlers on the
# interpreter they deploy to. pyenv's shim answers only when 3.13 is pyenv's selected version, so the
# pyenv installation is looked up too.
PYTHON_MINOR := 3.13
PYTHON ?= $(or $(shell for p in python$(PYTHON_MINOR) $$HOME/.pyenv/versions/$(PYTHON_MINOR)*/bin/python$(PYTHON_MINOR); do \
  "$$p" -c 'import sys; assert sys.version_info[:2] == ($(subst .,$(comma),$(PYTHON_MINOR)))' >/dev/null 2>&1 && { echo "$$p"; break; }; done),python$(PYTHON_MINOR))
comma := ,
VENV := .venv
PY := $(VENV)/bin/python
CDK := node_modules/.bin/cdk
OUT := cdk.out
export CDK_DISABLE_CLI_TELEMETRY := true
export SAGEMAKER_TELEMETRY_OPT_OUT := true
# The machines run Node 20 (pinned by the platform); jsii's end-of-life banner would bury the output.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: help install synth demo test bench rehearse deploy clean

help:
	@echo "make demo           the main job: synth every environment, then the local end-to-end demo"
	@echo "make synth          synthesize every environment (cdk-nag + cfn-lint gate)"
	@echo "make test           run the whole test suite"
	@echo "make bench          run the benchmarks, rewrite docs/benchmarks.md (BENCH_ARGS=--with-make adds synth and test)"
	@echo "make rehearse ENV=dev  deploy one environment's templates into an embedded AWS (moto), no account needed"
	@echo "make deploy ENV=dev deploy one environment (needs AWS credentials)"

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == ($(subst .,$(comma),$(PYTHON_MINOR)))' 2>/dev/null || \
	  { echo "mlmeta needs Python $(PYTHON_MINOR) (the Lambda runtime's); install it (e.g. pyenv install $(PYTHON_MINOR)) or run make PYTHON=/path/to/python$(PYTHON_MINOR)"; exit 2; }
	@# A venv of another Python (an older checkout's) is rebuilt, not reused.
	@$(PY) -c 'import sys; assert sys.version_info[:2] == ($(subst .,$(comma),$(PYTHON_MINOR)))' 2>/dev/null || rm -rf $(VENV)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[deploy,dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.installed

# One cloud assembly per environment: cdk.out/<env>/. Fails on an unacknowledged
# cdk-nag or CloudFormation-validation finding, a CDK warning (--strict) or a cfn-lint
# error. `cdk synth` synthesizes every stack of the app (it has no --all option).
synth: install
	@rm -rf $(OUT)
	@for env in $$($(PY) -m mlmeta.config); do \
	  echo "== synth $$env -> $(OUT)/$$env"; \
	  $(CDK) synth --strict --quiet -c env=$$env --output $(OUT)/$$env || exit 1; \
	done
	$(VENV)/bin/cfn-lint $(OUT)/*/*.template.json
	@echo "synth OK: templates in $(OUT)/<env>/*.template.json"

# The main job on the embedded defaults: no AWS account needed.
demo: synth
	$(VENV)/bin/mlmeta demo --out out/demo --force

test: install
	$(VENV)/bin/pytest -n 2

# Benchmarks against their baselines (bench/); a few minutes. BENCH_ARGS=--with-make also times
# `make synth` and `make test` (node_modules is needed for those); BENCH_ARGS="--only NAME --update"
# reruns one benchmark and keeps the other sections of docs/benchmarks.md.
BENCH_ARGS ?=
bench: install
	$(PY) -m bench --output docs/benchmarks.md $(BENCH_ARGS)

# A deploy rehearsal of what `make synth` gated: its templates deployed into an embedded moto server
# through CloudFormation's API (docs/deploying.md). REHEARSE_ARGS: event files to replay against it.
REHEARSE_ARGS ?=
rehearse: synth
	$(VENV)/bin/mlmeta rehearse --env $(or $(ENV),dev) --assembly $(OUT)/$(or $(ENV),dev) $(REHEARSE_ARGS)

deploy: install
	@test -n "$(ENV)" || { echo "usage: make deploy ENV=<name>  (known: $$($(PY) -m mlmeta.config))"; exit 2; }
	$(CDK) deploy --all -c env=$(ENV)

clean:
	rm -rf $(OUT) $(VENV) node_modules
