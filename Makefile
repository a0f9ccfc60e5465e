# mlmeta: every target installs what it needs (Python venv, pinned CDK CLI) on a fresh machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
CDK := node_modules/.bin/cdk
OUT := cdk.out
export CDK_DISABLE_CLI_TELEMETRY := true
export SAGEMAKER_TELEMETRY_OPT_OUT := true

.PHONY: help install synth test deploy clean

help:
	@echo "make synth          synthesize every environment (cdk-nag + cfn-lint gate)"
	@echo "make test           run the whole test suite"
	@echo "make deploy ENV=dev deploy one environment (needs AWS credentials)"

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.installed

# One cloud assembly per environment: cdk.out/<env>/. Fails on an unsuppressed
# cdk-nag finding (--strict turns its warnings into failures) or a cfn-lint error.
synth: install
	@rm -rf $(OUT)
	@for env in $$($(PY) -m mlmeta.config); do \
	  echo "== synth $$env -> $(OUT)/$$env"; \
	  $(CDK) synth --all --strict --quiet -c env=$$env --output $(OUT)/$$env || exit 1; \
	done
	$(VENV)/bin/cfn-lint $(OUT)/*/*.template.json
	@echo "synth OK: templates in $(OUT)/<env>/*.template.json"

test: install
	$(VENV)/bin/pytest -n 2

deploy: install
	@test -n "$(ENV)" || { echo "usage: make deploy ENV=<name>  (known: $$($(PY) -m mlmeta.config))"; exit 2; }
	$(CDK) deploy --all -c env=$(ENV)

clean:
	rm -rf $(OUT) $(VENV) node_modules
