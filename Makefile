# The two commands a newcomer needs: `make run` and `make test`. Both install what is
# missing first.
BUILD ?= build
JOBS ?= $(shell nproc)
CONFIG ?= configs/single-node.yaml
DATA ?= data
CMAKE_ARGS ?=
ifeq ($(CI),true)
CMAKE_ARGS += -DUKUBE_WERROR=ON
endif

.PHONY: all deps configure build test run bench format format-check clean

all: build

deps:
	@bash packaging/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build format-check
	@ctest --test-dir $(BUILD) --output-on-failure --timeout 900

run: build
	@./$(BUILD)/bin/ukube --config $(CONFIG) --data-dir $(DATA)

bench: build
	@./$(BUILD)/bin/store_bench
	@./$(BUILD)/bin/apiserver_bench
	@./$(BUILD)/bin/scheduler_bench
	@./$(BUILD)/bin/controllers_bench
	@./$(BUILD)/bin/kubelet_bench

format:
	@git ls-files '*.h' '*.cpp' | xargs clang-format -i

format-check:
	@git ls-files '*.h' '*.cpp' | xargs clang-format --dry-run --Werror

clean:
	rm -rf $(BUILD)
