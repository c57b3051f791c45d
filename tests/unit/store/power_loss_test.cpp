// Simulated power losses under the embedded store (fault_file_system.h): writers create,
// update and delete keys while compactions and snapshots run, the power goes at a random
// instant, and the store recovers from the bytes that survive. Checked each time:
//  - every write acknowledged before the power went is there, with its exact value and
//    revision;
//  - a write still waiting for its acknowledgement is either there or not, whole, and
//    nothing that was never written appears;
//  - revisions only grow: the recovered revision covers every acknowledged one, and the
//    next write gets a higher one.
// UKUBE_POWER_LOSS_CYCLES sets the number of power losses (default 120; 1000 for the full
// run) and UKUBE_POWER_LOSS_SEED the seed (printed, to replay a failure).
#include <gtest/gtest.h>

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "fault_file_system.h"
#include "kernel/store/embedded_store.h"

namespace ukube::store {
namespace {

using testing::FaultFileSystem;

constexpr int kWriters = 4;
constexpr int kKeysPerWriter = 24;

// What a key holds: absent, or a value written at a revision.
struct KeyState {
  bool exists = false;
  std::string value;
  int64_t mod_revision = 0;
  bool operator==(const KeyState&) const = default;
};

// The writers' view of the store: what was acknowledged, and what is in flight.
struct Ledger {
  std::mutex mu;
  std::map<std::string, KeyState> acknowledged;
  std::map<std::string, KeyState> in_flight;     // revision unknown (0) until acknowledged
  std::map<std::string, int64_t> last_revision;  // of each key's last acknowledged write
  int64_t highest_acknowledged = 0;
};

uint64_t env_number(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

std::string key_of(int writer, int k) {
  return "/registry/pl/w" + std::to_string(writer) + "/k" + std::to_string(k);
}

// One writer's keys, one write at a time, until the power goes.
void write_until_power_cut(Store& store, FaultFileSystem& fs, Ledger& ledger, int writer, uint64_t seed,
                           std::atomic<uint64_t>& writes) {
  std::mt19937_64 rng(seed);
  uint64_t n = 0;
  while (!fs.power_is_cut()) {
    const std::string key = key_of(writer, static_cast<int>(rng() % kKeysPerWriter));
    KeyState before;
    {
      std::lock_guard lock(ledger.mu);
      before = ledger.acknowledged[key];
    }
    KeyState intended;
    std::string value = "w" + std::to_string(writer) + "-" + std::to_string(seed) + "-" +
                        std::to_string(++n) + std::string(static_cast<size_t>(rng() % 300), 'x');
    const bool remove = before.exists && rng() % 4 == 0;
    if (!remove) intended = {true, value, 0};
    {
      std::lock_guard lock(ledger.mu);
      ledger.in_flight[key] = intended;
    }
    WriteResult r = !before.exists ? store.create(key, make_bytes(value))
                    : remove       ? store.remove(key, before.mod_revision)
                                   : store.update(key, make_bytes(value), before.mod_revision);
    // Acknowledged before the power went: it must survive. Seen after: it may or may not.
    if (fs.power_is_cut()) return;
    ASSERT_EQ(r.status, WriteStatus::Ok) << key;
    std::lock_guard lock(ledger.mu);
    ledger.in_flight.erase(key);
    intended.mod_revision = remove ? 0 : r.revision;
    // Writers see their acknowledgements in any order; each key's revisions must grow.
    ASSERT_GT(r.revision, ledger.last_revision[key]) << key << ": revisions must grow";
    ledger.last_revision[key] = r.revision;
    ledger.highest_acknowledged = std::max(ledger.highest_acknowledged, r.revision);
    ledger.acknowledged[key] = intended;
    ++writes;
  }
}

KeyState read_state(Store& store, const std::string& key) {
  auto kv = store.get(key);
  if (!kv) return {};
  return {true, *kv->value, kv->mod_revision};
}

TEST(PowerLoss, AcknowledgedWritesSurviveEveryPowerLoss) {
  const uint64_t cycles = env_number("UKUBE_POWER_LOSS_CYCLES", 120);
  const uint64_t seed = env_number("UKUBE_POWER_LOSS_SEED", std::random_device{}());
  std::printf("power_loss_test: %llu power losses, seed %llu\n", static_cast<unsigned long long>(cycles),
              static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  FaultFileSystem fs(seed);
  Ledger ledger;
  auto quiet =
      std::make_shared<spdlog::logger>("power-loss", std::make_shared<spdlog::sinks::null_sink_mt>());
  std::atomic<uint64_t> writes{0};
  uint64_t torn = 0, undone = 0, in_flight_kept = 0, in_flight_lost = 0, snapshots = 0;

  for (uint64_t cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE("power loss " + std::to_string(cycle) + ", seed " + std::to_string(seed));
    EmbeddedStoreOptions options;
    options.data_dir = "/data";
    options.file_system = &fs;
    options.fsync = true;
    options.snapshot_threshold_bytes = 8 * 1024 + rng() % (24 * 1024);
    options.compaction_window = 20 + static_cast<int64_t>(rng() % 200);
    options.logger = quiet;
    std::unique_ptr<EmbeddedStore> store;
    ASSERT_NO_THROW(store = EmbeddedStore::open(options));

    // The recovered state against the ledger; what was in flight is now settled.
    ASSERT_GE(store->current_revision(), ledger.highest_acknowledged);
    for (auto& [key, acknowledged] : ledger.acknowledged) {
      const KeyState found = read_state(*store, key);
      auto flying = ledger.in_flight.find(key);
      if (found == acknowledged) {
        if (flying != ledger.in_flight.end()) ++in_flight_lost;
        continue;
      }
      ASSERT_NE(flying, ledger.in_flight.end())
          << key << ": acknowledged " << (acknowledged.exists ? acknowledged.value.substr(0, 24) : "absent")
          << " at revision " << acknowledged.mod_revision << ", recovered "
          << (found.exists ? found.value.substr(0, 24) : "absent") << " at revision " << found.mod_revision;
      ASSERT_EQ(found.exists, flying->second.exists)
          << key << ": neither the acknowledged state nor the one in flight";
      if (found.exists) {
        ASSERT_EQ(found.value, flying->second.value) << key;
        ASSERT_GT(found.mod_revision, acknowledged.mod_revision) << key;
      }
      ++in_flight_kept;
      acknowledged = found;
    }
    ledger.in_flight.clear();
    ledger.highest_acknowledged = store->current_revision();
    for (const auto& kv : store->list("/registry/pl/").items)
      ASSERT_TRUE(ledger.acknowledged.contains(kv.key)) << kv.key << " was never written";

    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w)
      writers.emplace_back(write_until_power_cut, std::ref(*store), std::ref(fs), std::ref(ledger), w, rng(),
                           std::ref(writes));
    // The power goes somewhere in the next few hundred file operations: between a write
    // and its sync, a rename and its directory sync, during a snapshot or a compaction.
    fs.cut_power_after(1 + rng() % 400);
    if (rng() % 3 == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 5));
      try {
        store->compact(store->current_revision());
      } catch (const StoreError&) {
        // Compacting a revision already compacted: nothing to do.
      }
    }
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
         !fs.power_is_cut() && std::chrono::steady_clock::now() < deadline;)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    fs.cut_power();
    for (auto& t : writers) t.join();
    snapshots += store->stats().snapshots;
    store.reset();  // what it still writes goes nowhere: the machine is off
    fs.restore_power();
    torn += fs.last_restart().files_torn;
    undone += fs.last_restart().entries_undone;
    if (HasFatalFailure()) return;
  }
  std::printf(
      "power_loss_test: %llu acknowledged writes; in flight at the cut: %llu survived, %llu did not; %llu "
      "torn files, %llu directories with undone entries, %llu snapshots taken\n",
      static_cast<unsigned long long>(writes.load()), static_cast<unsigned long long>(in_flight_kept),
      static_cast<unsigned long long>(in_flight_lost), static_cast<unsigned long long>(torn),
      static_cast<unsigned long long>(undone), static_cast<unsigned long long>(snapshots));
}

}  // namespace
}  // namespace ukube::store
