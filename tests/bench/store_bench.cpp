// store_bench: throughput, latency, memory and recovery figures of the embedded store,
// on a temporary data directory with real fsync. Prints one table with the targets
// (DESIGN.md §8: every performance claim is a benchmark that prints its figure).
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include "kernel/store/embedded_store.h"
#include "ukube/testing/temp_dir.h"

#ifdef UKUBE_BENCH_WATCH
#include "bench_watch.h"
#endif

namespace {

using namespace ukube::store;
using ukube::testing::TempDir;
using Clock = std::chrono::steady_clock;

constexpr size_t kValueSize = 1024;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::shared_ptr<spdlog::logger> quiet_logger() {
  static auto logger =
      std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
  return logger;
}

// --no-fsync: the same runs without fdatasync, to see the CPU ceiling of the write path.
bool g_fsync = true;

std::unique_ptr<EmbeddedStore> open_store(const std::filesystem::path& dir, bool fsync = true) {
  EmbeddedStoreOptions options;
  options.data_dir = dir;
  options.fsync = fsync && g_fsync;
  options.logger = quiet_logger();
  return EmbeddedStore::open(options);
}

// A distinct 1 KiB value per object, as an API server would encode each one.
Bytes object_value(uint64_t i) {
  std::string v(kValueSize, static_cast<char>('a' + i % 26));
  std::memcpy(v.data(), &i, sizeof i);
  return make_bytes(std::move(v));
}

size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

struct Percentiles {
  double p50, p99;
};

Percentiles percentiles(std::vector<double> samples) {
  auto at = [&](double q) {
    auto nth = samples.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(samples.size() - 1));
    std::nth_element(samples.begin(), nth, samples.end());
    return *nth;
  };
  return {at(0.50), at(0.99)};
}

struct Row {
  std::string what;
  std::string figure;
  std::string target;
};
std::vector<Row> rows;

void add_row(std::string what, std::string figure, std::string target = "") {
  std::printf("  %-58s %s\n", what.c_str(), figure.c_str());
  std::fflush(stdout);
  rows.push_back({std::move(what), std::move(figure), std::move(target)});
}

std::string fmt2(const char* format, double a, double b) {
  char buf[128];
  std::snprintf(buf, sizeof buf, format, a, b);
  return buf;
}

// The disk's own fdatasync latency, for reading the throughput figures.
double fdatasync_latency_us() {
  TempDir dir("bench-fsync");
  int fd = ::open((dir.path() / "probe").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  std::string block(16 * 1024, 'x');
  constexpr int kRounds = 200;
  auto start = Clock::now();
  for (int i = 0; i < kRounds; ++i) {
    if (::write(fd, block.data(), block.size()) < 0 || ::fdatasync(fd) != 0) break;
  }
  double us = seconds_since(start) * 1e6 / kRounds;
  ::close(fd);
  return us;
}

// Blocking creates from `threads` threads for `duration`; returns creates per second.
void bench_blocking_creates(int threads, double duration) {
  TempDir dir("bench-create");
  auto store = open_store(dir.path());
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> done{0};
  std::vector<std::thread> workers;
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      uint64_t n = 0;
      for (; !stop.load(std::memory_order_relaxed); ++n) {
        std::string key = "/bench/create/" + std::to_string(t) + "/" + std::to_string(n);
        if (!store->create(key, object_value(n))) std::abort();
      }
      done += n;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(duration));
  stop = true;
  for (auto& w : workers) w.join();
  double elapsed = seconds_since(start);
  EmbeddedStoreStats s = store->stats();
  double rate = static_cast<double>(done.load()) / elapsed;
  add_row(
      "durable creates/s, 1 KiB, " + std::to_string(threads) + " blocking writer" + (threads > 1 ? "s" : ""),
      fmt2("%9.0f /s  (%.1f writes per fsync)", rate,
           static_cast<double>(s.wal_records) / static_cast<double>(std::max<uint64_t>(1, s.wal_syncs))),
      threads == 64 ? ">= 100,000 /s" : "");
}

// `threads` writers each keeping up to `in_flight` submits outstanding.
uint64_t run_async_writers(Store& store, int threads, int in_flight, uint64_t per_thread,
                           std::atomic<bool>* stop, const std::string& prefix) {
  std::atomic<uint64_t> acked{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::counting_semaphore<1024> slots(in_flight);
      uint64_t n = 0;
      for (; n < per_thread && !(stop && stop->load(std::memory_order_relaxed)); ++n) {
        slots.acquire();
        store.submit({WriteKind::Create, prefix + std::to_string(t) + "/" + std::to_string(n),
                      constant(object_value(n)), 0},
                     [&](WriteResult r) {
                       if (!r) std::abort();
                       acked.fetch_add(1, std::memory_order_relaxed);
                       slots.release();
                     });
      }
      for (int i = 0; i < in_flight; ++i) slots.acquire();  // wait for this thread's writes
    });
  }
  for (auto& w : workers) w.join();
  return acked.load();
}

void bench_async_creates(double duration) {
  TempDir dir("bench-async");
  auto store = open_store(dir.path());
  std::atomic<bool> stop{false};
  auto start = Clock::now();
  std::thread timer([&] {
    std::this_thread::sleep_for(std::chrono::duration<double>(duration));
    stop = true;
  });
  uint64_t acked = run_async_writers(*store, 64, 16, UINT64_MAX, &stop, "/bench/async/");
  double elapsed = seconds_since(start);
  timer.join();
  EmbeddedStoreStats s = store->stats();
  add_row("durable creates/s, 1 KiB, 64 writers x 16 async in flight",
          fmt2("%9.0f /s  (%.1f writes per fsync)", static_cast<double>(acked) / elapsed,
               static_cast<double>(s.wal_records) / static_cast<double>(std::max<uint64_t>(1, s.wal_syncs))),
          ">= 100,000 /s");
}

// Loads 200,000 objects (10,000 under one prefix, the rest in prefixes of 100), measures
// resident memory per object, then read latencies on the loaded store.
void bench_memory_and_reads() {
  constexpr uint64_t kObjects = 200'000;
  constexpr uint64_t kBig = 10'000;
  TempDir dir("bench-reads");
  auto key_of = [&](uint64_t i) {
    char buf[64];
    if (i < kBig) {
      std::snprintf(buf, sizeof buf, "/bench/big/obj-%06llu", static_cast<unsigned long long>(i));
    } else {
      uint64_t j = i - kBig;
      std::snprintf(buf, sizeof buf, "/bench/ns-%04llu/obj-%03llu", static_cast<unsigned long long>(j / 100),
                    static_cast<unsigned long long>(j % 100));
    }
    return std::string(buf);
  };

  malloc_trim(0);
  size_t before = resident_bytes();
  auto store = open_store(dir.path());
  {
    std::counting_semaphore<4096> slots(4096);
    for (uint64_t i = 0; i < kObjects; ++i) {
      slots.acquire();
      store->submit({WriteKind::Create, key_of(i), constant(object_value(i)), 0}, [&](WriteResult r) {
        if (!r) std::abort();
        slots.release();
      });
    }
    for (int i = 0; i < 4096; ++i) slots.acquire();
  }
  malloc_trim(0);
  size_t after = resident_bytes();
  EmbeddedStoreStats s = store->stats();
  double serialized = static_cast<double>(s.wal_bytes) / static_cast<double>(s.wal_records);
  double per_object = static_cast<double>(after - before) / kObjects;
  add_row("resident bytes per 1 KiB object (200,000 loaded)",
          fmt2("%9.0f B   (%.2fx its serialized size)", per_object, per_object / serialized), "<= 2x");
  std::printf("    (serialized size: %.0f bytes per WAL record)\n", serialized);

  std::mt19937_64 rng(7);
  std::vector<double> samples;
  samples.reserve(200'000);
  for (int i = 0; i < 200'000; ++i) {
    std::string key = key_of(rng() % kObjects);
    auto start = Clock::now();
    auto kv = store->get(key);
    samples.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (!kv) std::abort();
  }
  Percentiles get = percentiles(samples);
  add_row("get p50 / p99 (200,000 keys)", fmt2("%9.2f us / %.2f us", get.p50, get.p99));

  auto bench_list = [&](const std::string& prefix, size_t expected, int rounds) {
    std::vector<double> latencies;
    for (int i = 0; i < rounds; ++i) {
      std::string p = prefix;
      if (expected == 100) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "/bench/ns-%04llu/", static_cast<unsigned long long>(rng() % 1900));
        p = buf;
      }
      auto start = Clock::now();
      ListResult r = store->list(p);
      latencies.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
      if (r.items.size() != expected) std::abort();
    }
    return percentiles(latencies);
  };
  Percentiles small = bench_list("", 100, 5000);
  add_row("list of 100 keys p50 / p99", fmt2("%9.1f us / %.1f us", small.p50, small.p99));
  Percentiles big = bench_list("/bench/big/", 10'000, 200);
  add_row("list of 10,000 keys p50 / p99", fmt2("%9.2f ms / %.2f ms", big.p50 / 1000, big.p99 / 1000));
}

// Evicts a directory's files from the page cache, so the next open reads the disk.
void drop_from_page_cache(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

void bench_recovery() {
  constexpr uint64_t kObjects = 1'000'000;
  TempDir dir("bench-recovery");
  uintmax_t on_disk = 0;
  {
    // Loaded without fsync to save time: the files are byte for byte what a durable load
    // writes, and only their recovery is measured here.
    auto store = open_store(dir.path(), false);
    run_async_writers(*store, 16, 64, kObjects / 16, nullptr, "/bench/recovery/");
    store->close();
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    on_disk += entry.is_regular_file() ? entry.file_size() : 0;
  // Each open runs in a fresh process, as a restart would: memory this process freed
  // would otherwise be reused without the page faults a real restart pays.
  std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  for (const char* cache : {"cold", "warm"}) {
    if (std::string(cache) == "cold") drop_from_page_cache(dir.path());
    std::string command = "'" + exe + "' --recover '" + dir.path().string() + "'";
    FILE* child = ::popen(command.c_str(), "r");
    double took = -1;
    unsigned long long keys = 0;
    if (!child || std::fscanf(child, "%lf %llu", &took, &keys) != 2 || keys != kObjects) std::abort();
    ::pclose(child);
    add_row(std::string("recovery of 1,000,000 1 KiB objects, ") + cache + " page cache",
            fmt2("%9.2f s   (%.0f MiB on disk)", took, static_cast<double>(on_disk) / (1 << 20)), "<= 5 s");
  }
}

}  // namespace

// `store_bench --recover <dir>`: opens the store once and prints "<seconds> <keys>".
int recover_only(const char* dir) {
  auto start = Clock::now();
  auto store = open_store(dir);
  std::printf("%.3f %llu\n", seconds_since(start), static_cast<unsigned long long>(store->stats().keys));
  std::fflush(stdout);
  std::_Exit(0);  // the figure is taken; tearing down a million objects is not part of it
}

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--recover") return recover_only(argv[2]);
  std::string only;  // one group of figures, for quicker experiments
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--no-fsync") {
      g_fsync = false;
    } else if (arg.starts_with("--only=")) {
      only = arg.substr(7);
    } else {
      std::fprintf(stderr, "usage: store_bench [--no-fsync] [--only=reads|writes|recovery|watch]\n");
      return 2;
    }
  }
  auto run = [&](const char* group) { return only.empty() || only == group; };
  auto started = Clock::now();
  std::printf(
      "ukube embedded store benchmark (%ld cores; fdatasync of 16 KiB takes %.0f us on this disk)\n\n",
      ::sysconf(_SC_NPROCESSORS_ONLN), fdatasync_latency_us());
  if (!g_fsync) std::printf("fsync is OFF: these figures are not durable writes\n");
  if (run("reads")) bench_memory_and_reads();
  if (run("writes")) {
    bench_blocking_creates(1, 2.0);
    bench_blocking_creates(16, 3.0);
    bench_blocking_creates(64, 3.0);
    bench_async_creates(3.0);
  }
  if (run("recovery")) bench_recovery();

  std::printf("\n%-60s %-44s %s\n", "figure", "measured", "target");
  std::printf("%s\n", std::string(120, '-').c_str());
  for (const auto& row : rows)
    std::printf("%-60s %-44s %s\n", row.what.c_str(), row.figure.c_str(), row.target.c_str());
  std::printf("\nstore figures took %.0f s\n", seconds_since(started));
#ifdef UKUBE_BENCH_WATCH
  if (run("watch")) {
    std::printf("\n");
    bench_watch_fanout();
  }
#endif
  return 0;
}
