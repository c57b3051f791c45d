// A damaged disk: the store opens a data directory whose one file is the input, as a WAL
// segment or a snapshot (the first byte decides), on the in-memory file system of the
// power-loss test. Opening ends with a recovered store or a StoreError/runtime_error that
// says what is wrong and what to do, never a crash.
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "kernel/store/data_dir.h"
#include "kernel/store/embedded_store.h"
#include "tests/unit/store/fault_file_system.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  using namespace ukube::store;
  static auto quiet =
      std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_mt>());
  testing::FaultFileSystem fs(1);
  fs.create_directories("/data");
  const bool snapshot = data[0] & 1;
  const std::string name = snapshot ? snapshot_name(5) : wal_segment_name(1);
  fs.open(std::string("/data/") + name, OpenFor::Rewrite)
      ->append(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  EmbeddedStoreOptions options;
  options.data_dir = "/data";
  options.file_system = &fs;
  options.fsync = false;
  options.snapshot_threshold_bytes = 0;
  options.logger = quiet;
  try {
    auto store = EmbeddedStore::open(options);
    store->list("");
  } catch (const std::runtime_error&) {
  }
  return 0;
}
