// Kills a writing process with SIGKILL at random moments, 100 times on one data
// directory, and checks after each kill that recovery kept every acknowledged write
// exactly and invented none.
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "crash_workload.h"
#include "kernel/store/embedded_store.h"
#include "ukube/testing/temp_dir.h"

namespace ukube::store {
namespace {

constexpr int kRuns = 100;

std::filesystem::path writer_executable() {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path() / "store_crash_writer";
}

// The child's acknowledgements, read from its stdout as they come.
class AckReader {
 public:
  explicit AckReader(int fd) : fd_(fd), thread_([this] { run(); }) {}
  ~AckReader() {
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  bool wait_ready(std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return ready_ || eof_; }) && ready_;
  }
  // After the child is dead: every complete line it wrote.
  std::vector<std::pair<std::string, int64_t>> finish() {
    thread_.join();
    return acks_;
  }

 private:
  void run() {
    std::string buffer;
    char chunk[65536];
    for (;;) {
      ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      buffer.append(chunk, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::string line = buffer.substr(start, nl - start);
        size_t space = line.rfind(' ');
        std::string key = line.substr(0, space);
        int64_t revision = std::stoll(line.substr(space + 1));
        if (key == "ready") {
          std::lock_guard lock(mu_);
          ready_ = true;
          cv_.notify_all();
        } else {
          acks_.emplace_back(std::move(key), revision);
        }
      }
      buffer.erase(0, start);
    }
    std::lock_guard lock(mu_);
    eof_ = true;
    cv_.notify_all();
  }

  int fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool ready_ = false;
  bool eof_ = false;
  std::vector<std::pair<std::string, int64_t>> acks_;
  std::thread thread_;
};

pid_t spawn_writer(const std::filesystem::path& dir, int run, int stdout_fd) {
  std::string exe = writer_executable().string();
  std::string dir_arg = dir.string();
  std::string run_arg = std::to_string(run);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(stdout_fd, STDOUT_FILENO);
    ::execl(exe.c_str(), exe.c_str(), dir_arg.c_str(), run_arg.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

struct KeyParts {
  int run, writer;
  int64_t seq;
};

KeyParts parse_key(const std::string& key) {
  KeyParts p{};
  long long seq = 0;
  EXPECT_EQ(std::sscanf(key.c_str(), "/crash/%d/%d/%lld", &p.run, &p.writer, &seq), 3) << key;
  p.seq = seq;
  return p;
}

TEST(StoreCrash, RepeatedKillsNeverLoseAnAcknowledgedWriteNorInventOne) {
  ASSERT_TRUE(std::filesystem::exists(writer_executable())) << writer_executable();
  // Each check rebuilds the whole index; keeping freed memory mapped between checks spares
  // re-faulting it every time (page faults are what is slow on small VMs).
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  ukube::testing::TempDir dir("crash");
  std::random_device rd;
  unsigned seed = rd();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(20, 150);
  SCOPED_TRACE("random seed " + std::to_string(seed));

  std::map<std::string, int64_t> acked;  // every acknowledgement of every run
  int64_t previous_revision = 0;
  size_t total_acks = 0;
  auto started = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration startup{}, verify{};

  for (int run = 0; run < kRuns; ++run) {
    SCOPED_TRACE("run " + std::to_string(run));
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    pid_t pid = spawn_writer(dir.path(), run, fds[1]);
    ASSERT_GT(pid, 0);
    ::close(fds[1]);
    AckReader reader(fds[0]);
    auto spawned = std::chrono::steady_clock::now();
    bool ready = reader.wait_ready(std::chrono::seconds(30));
    startup += std::chrono::steady_clock::now() - spawned;
    if (ready) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(ready) << "the writer did not start (exit status " << status << ")";
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer died by itself: " << status;
    auto acks = reader.finish();
    total_acks += acks.size();
    int64_t last_acked = previous_revision;
    for (const auto& [key, revision] : acks) {
      ASSERT_TRUE(acked.emplace(key, revision).second) << key << " acknowledged twice";
      last_acked = std::max(last_acked, revision);
    }

    auto verify_started = std::chrono::steady_clock::now();
    EmbeddedStoreOptions options;
    options.data_dir = dir.path();
    // The writer syncs for real; this check only reads (a killed process loses nothing
    // from the page cache), so its own small repairs need not wait for the disk.
    options.fsync = false;
    options.snapshot_threshold_bytes = 0;
    options.compaction_window = 0;
    auto logger = spdlog::default_logger()->clone("crash-check");
    logger->set_level(spdlog::level::warn);
    options.logger = logger;
    auto store = EmbeddedStore::open(options);
    ListResult all = store->list("/crash/");
    const int64_t current = store->current_revision();

    // Every acknowledged write is there with its exact revision.
    std::map<std::string, const KeyValue*> recovered;
    for (const auto& kv : all.items) recovered[kv.key] = &kv;
    for (const auto& [key, revision] : acked) {
      auto it = recovered.find(key);
      ASSERT_NE(it, recovered.end()) << "acknowledged " << key << " at revision " << revision << " is lost";
      ASSERT_EQ(it->second->mod_revision, revision) << key;
    }
    // Nothing is invented: every key is one the writer wrote, with its value; revisions
    // are unique, leave no gap, and each writer's keys form a prefix of its sequence in
    // increasing revision order.
    std::set<int64_t> revisions;
    std::map<std::pair<int, int>, std::pair<int64_t, int64_t>> last_of_writer;  // -> (seq, revision)
    for (const auto& kv : all.items) {
      ASSERT_EQ(*kv.value, crash::value_for(kv.key)) << kv.key;
      ASSERT_EQ(kv.create_revision, kv.mod_revision) << kv.key;
      ASSERT_EQ(kv.version, 1) << kv.key;
      ASSERT_TRUE(revisions.insert(kv.mod_revision).second)
          << "revision " << kv.mod_revision << " used twice";
      KeyParts p = parse_key(kv.key);
      ASSERT_LE(p.run, run);
      auto [it, first] = last_of_writer.try_emplace({p.run, p.writer}, p.seq, kv.mod_revision);
      if (!first) {
        ASSERT_EQ(p.seq, it->second.first + 1) << "hole before " << kv.key;
        ASSERT_GT(kv.mod_revision, it->second.second) << kv.key << " is ordered before an earlier write";
        it->second = {p.seq, kv.mod_revision};
      } else {
        ASSERT_EQ(p.seq, 0) << "hole before " << kv.key;
      }
    }
    ASSERT_EQ(static_cast<int64_t>(revisions.size()), current) << "revisions 1.." << current << " have gaps";
    if (!revisions.empty()) {
      ASSERT_EQ(*revisions.rbegin(), current);
    }
    ASSERT_GE(current, previous_revision) << "recovered state went back in time";
    ASSERT_LE(current, last_acked + crash::kMaxInFlight)
        << "more unacknowledged writes survived than were in flight";
    previous_revision = current;
    verify += std::chrono::steady_clock::now() - verify_started;
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto secs = [](auto d) { return std::chrono::duration<double>(d).count(); };
  std::cout << kRuns << " kills, " << total_acks << " acknowledged writes, " << previous_revision
            << " recovered; " << seconds << " s in all, " << secs(startup) << " s starting writers, "
            << secs(verify) << " s recovering and checking\n";
}

}  // namespace
}  // namespace ukube::store
