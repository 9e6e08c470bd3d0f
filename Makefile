# Thin wrapper over CMake. `make run` is the main job, `make test` runs every test that needs no GPU.
BUILD ?= build
PREFIX ?= /usr/local
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
PYTHON ?= python3

.PHONY: all build run bench test test-c test-python install clean fuzz

all: build

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The main job: one KDA forward on the best backend, with its time and its error against fp64.
run: build
	$(BUILD)/cli/flashkda run

bench: build
	$(BUILD)/cli/flashkda bench

test: test-c test-python

test-c: build
	ctest --test-dir $(BUILD) --output-on-failure

test-python: build
	FLASHKDA_LIBRARY=$(abspath $(BUILD))/libflashkda.so PYTHONPATH=$(abspath python) $(PYTHON) -m pytest -q python/tests

# libFuzzer over argument validation and the CPU backends, ASan + UBSan, bounded time.
fuzz:
	CC=clang cmake -S . -B build-fuzz -DFKDA_CUDA=OFF -DFKDA_BUILD_CLI=OFF -DFKDA_BUILD_BENCH=OFF -DFKDA_FUZZ=ON \
	    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DCMAKE_C_FLAGS="-fsanitize=address,undefined -fsanitize=fuzzer-no-link -fno-sanitize-recover=all -Wno-pass-failed"
	cmake --build build-fuzz -j $(JOBS) --target fuzz_args
	mkdir -p build-fuzz/corpus
	ASAN_OPTIONS=detect_leaks=1 build-fuzz/tests/fuzz_args -max_total_time=$(FUZZ_SECONDS) -max_len=512 -timeout=10 \
	    -rss_limit_mb=4096 -artifact_prefix=build-fuzz/ build-fuzz/corpus

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) build-fuzz
