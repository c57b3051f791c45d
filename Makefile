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

.PHONY: all deps configure build test run bench fuzz format format-check clean

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
	@./$(BUILD)/bin/proxy_bench
	@./$(BUILD)/bin/dns_bench

# Every fuzz target for FUZZ_SECONDS on its seed corpus (tests/fuzz/corpus/<target>), in a
# clang build with ASan and UBSan of its own; what a target finds is left as crash-* files
# in build-fuzz/ and becomes a regression input in its corpus.
FUZZ_SECONDS ?= 60
FUZZERS = fuzz_label_selector fuzz_field_selector fuzz_quantity fuzz_image_reference fuzz_tar_reader \
	fuzz_json_patch fuzz_continue_token fuzz_store_recovery fuzz_dns_message
fuzz:
	@bash packaging/install-deps.sh --fuzz
	@cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DUKUBE_FUZZ=ON -DUKUBE_TESTS=OFF \
		-DUKUBE_JEMALLOC=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzzers
	@for f in $(FUZZERS); do \
		mkdir -p build-fuzz/corpus/$$f; \
		echo "== $$f ($(FUZZ_SECONDS) s)"; \
		(cd build-fuzz && ./bin/$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			corpus/$$f ../tests/fuzz/corpus/$$f > $$f.log 2>&1); status=$$?; \
		grep -E "^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec)|^SUMMARY" build-fuzz/$$f.log; \
		[ $$status -eq 0 ] || { echo "$$f failed: build-fuzz/$$f.log has the report and the crash-* input"; exit 1; }; \
	done

format:
	@git ls-files '*.h' '*.cpp' | xargs clang-format -i

format-check:
	@git ls-files '*.h' '*.cpp' | xargs clang-format --dry-run --Werror

clean:
	rm -rf $(BUILD)
