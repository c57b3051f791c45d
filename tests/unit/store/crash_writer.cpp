// store_crash_writer <data-dir> <run>: writes unique keys from several threads until it
// is killed, printing "<key> <revision>" to stdout after each acknowledgement. The
// parent (crash_test.cpp) kills it with SIGKILL and checks the recovered store.
#include <unistd.h>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include "crash_workload.h"
#include "kernel/store/embedded_store.h"

namespace {

using namespace ukube::store;

// One write() per line: pipe writes below PIPE_BUF are atomic, so lines from different
// threads never interleave and a kill never leaves half a line.
void report(const std::string& key, int64_t revision) {
  std::string line = key + " " + std::to_string(revision) + "\n";
  if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) std::_Exit(4);
}

[[noreturn]] void refuse(const std::string& key, const WriteResult& r) {
  std::fprintf(stderr, "store_crash_writer: create %s was refused: %s\n", key.c_str(),
               std::string(to_string(r.status)).c_str());
  std::_Exit(3);
}

void blocking_writer(Store& store, int run, int writer) {
  for (int64_t seq = 0;; ++seq) {
    std::string key = crash::key_for(run, writer, seq);
    WriteResult r = store.create(key, make_bytes(crash::value_for(key)));
    if (!r) refuse(key, r);
    report(key, r.revision);
  }
}

void async_writer(Store& store, int run, int writer) {
  std::counting_semaphore<crash::kAsyncInFlight> slots(crash::kAsyncInFlight);
  for (int64_t seq = 0;; ++seq) {
    slots.acquire();
    std::string key = crash::key_for(run, writer, seq);
    store.submit({WriteKind::Create, key, constant(make_bytes(crash::value_for(key))), 0},
                 [&slots, key](WriteResult r) {
                   if (!r) refuse(key, r);
                   report(key, r.revision);
                   slots.release();
                 });
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: store_crash_writer <data-dir> <run>\n");
    return 2;
  }
  auto logger =
      std::make_shared<spdlog::logger>("crash-writer", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_level(spdlog::level::warn);
  EmbeddedStoreOptions options;
  options.data_dir = argv[1];
  options.snapshot_threshold_bytes = crash::kSnapshotThreshold;
  options.compaction_window = crash::kCompactionWindow;
  options.logger = logger;
  std::unique_ptr<EmbeddedStore> store;
  try {
    store = EmbeddedStore::open(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "store_crash_writer: open failed: %s\n", e.what());
    return 1;
  }
  int run = std::atoi(argv[2]);
  report("ready", store->current_revision());

  std::vector<std::thread> threads;
  for (int w = 0; w < crash::kBlockingWriters; ++w)
    threads.emplace_back(blocking_writer, std::ref(*store), run, w);
  for (int w = 0; w < crash::kAsyncWriters; ++w)
    threads.emplace_back(async_writer, std::ref(*store), run, crash::kBlockingWriters + w);
  for (auto& t : threads) t.join();  // never: the parent kills the process
  return 0;
}
