#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "ukube/node/records.h"
#include "ukube/node/session_core.h"
#include "ukube/node/stream_sessions.h"

// kubectl attach: the container's output followed in its CRI log (new output only), its
// stdin written to the FIFO its monitor keeps, one thread per session.
namespace ukube::runtime::node {

using streaming::close_fd;
using streaming::SessionCore;
using streaming::write_all_without_sigpipe;

namespace {

// One parsed CRI log record.
struct CriRecord {
  bool is_stderr = false;
  bool partial = false;
  std::string_view text;
};

bool parse_cri_record(std::string_view line, CriRecord& record) {
  auto first = line.find(' ');
  if (first == std::string_view::npos) return false;
  auto second = line.find(' ', first + 1);
  if (second == std::string_view::npos) return false;
  auto stream = line.substr(first + 1, second - first - 1);
  auto third = line.find(' ', second + 1);
  auto tag =
      line.substr(second + 1, third == std::string_view::npos ? std::string_view::npos : third - second - 1);
  record.is_stderr = stream == "stderr";
  record.partial = tag == "P";
  record.text = third == std::string_view::npos ? std::string_view() : line.substr(third + 1);
  return true;
}

struct AttachCore : SessionCore {
  AttachTarget target;
  bool want_stdout = true;
  bool want_stderr = true;
  bool merge_stderr = false;  // tty asked for: one stream, as from a terminal
  int log_fd = -1;
  ino_t log_inode = 0;
  bool drained_rotated = false;  // read once more after its rotation was noticed
  std::string pending;           // a record not yet complete
  int inotify_fd = -1;
  int stdin_fd = -1;
  std::mutex stdin_mutex;
  ~AttachCore() {
    close_fd(log_fd);
    close_fd(inotify_fd);
    close_fd(stdin_fd);
  }

  void open_log(bool at_end, const std::filesystem::path& path) {
    close_fd(log_fd);
    pending.clear();
    log_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (log_fd < 0) return;
    struct stat st {};
    ::fstat(log_fd, &st);
    log_inode = st.st_ino;
    if (at_end) ::lseek(log_fd, 0, SEEK_END);
  }
  void open_log(bool at_end) { open_log(at_end, target.log_path); }

  // The file written after the one just read to its end. The monitor may have rotated more
  // than once meanwhile (cri_log.h: <log>.1 is the newest rotated file), so the current log
  // is not necessarily next: the files oldest first are <log>.N ... <log>.1, <log>, and the
  // one after ours is next; when ours fell off the end, the oldest left is.
  std::filesystem::path next_log_file() const {
    std::vector<std::filesystem::path> oldest_first;
    for (int n = 1;; ++n) {
      std::filesystem::path rotated = target.log_path.string() + "." + std::to_string(n);
      std::error_code ec;
      if (!std::filesystem::exists(rotated, ec)) break;
      oldest_first.insert(oldest_first.begin(), rotated);
    }
    oldest_first.push_back(target.log_path);
    for (size_t i = 0; i + 1 < oldest_first.size(); ++i) {
      struct stat st {};
      if (::stat(oldest_first[i].c_str(), &st) == 0 && st.st_ino == log_inode) return oldest_first[i + 1];
    }
    return oldest_first.front();
  }

  void deliver(std::string_view line) {
    CriRecord record;
    if (!parse_cri_record(line, record)) return;
    if (record.is_stderr ? !want_stderr : !want_stdout) return;
    std::string text(record.text);
    if (!record.partial) text += '\n';
    emit(record.is_stderr && !merge_stderr, text);
  }

  void read_new_output() {
    if (log_fd < 0) {
      open_log(false);  // created after the session began: all of it is new
      if (log_fd < 0) return;
    }
    char buffer[65536];
    for (;;) {
      ssize_t n = ::read(log_fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        pending.append(buffer, static_cast<size_t>(n));
        size_t start = 0;
        for (size_t newline; (newline = pending.find('\n', start)) != std::string::npos; start = newline + 1)
          deliver(std::string_view(pending).substr(start, newline - start));
        pending.erase(0, start);
        continue;
      }
      // At the end of this file: has the monitor rotated it away?
      struct stat st {};
      if (::stat(target.log_path.c_str(), &st) == 0 && st.st_ino != log_inode) {
        // It was: it no longer grows, so one more read gets what it got before that.
        if (!drained_rotated) {
          drained_rotated = true;
          continue;
        }
        drained_rotated = false;
        ino_t finished = log_inode;
        open_log(false, next_log_file());
        // The names shift while they are looked at: never start the finished file over.
        if (log_fd >= 0 && log_inode == finished) open_log(false);
        if (log_fd >= 0) continue;
      }
      return;
    }
  }

  void run() {
    for (;;) {
      if (stopping) return;
      // exit.json comes after the monitor wrote the container's last output, so reading
      // once more after seeing it misses nothing.
      std::optional<ExitRecord> exit;
      try {
        exit = read_exit_record(target.container_dir);
      } catch (const std::exception&) {
      }
      read_new_output();
      if (exit) {
        emit_exit(exit->exit_code);
        return;
      }
      // Woken by inotify on the log's folder and the container's; the timeout is a safety
      // net for a dropped inotify event.
      pollfd fds[2] = {{inotify_fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
      if (::poll(fds, 2, 1000) < 0 && errno != EINTR) return;
      if (fds[0].revents & POLLIN) {
        char events[8192];
        while (::read(inotify_fd, events, sizeof events) > 0) {
        }
      }
    }
  }
};

class AttachSession final : public StreamSession {
 public:
  explicit AttachSession(std::shared_ptr<AttachCore> core) : core_(std::move(core)) {
    thread_ = std::thread([core = core_] { core->run(); });
  }
  ~AttachSession() override { finish_session_thread(thread_, *core_); }

  void write_stdin(std::string_view data) override {
    std::lock_guard lock(core_->stdin_mutex);
    if (core_->stdin_fd < 0)
      throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                         "runtime: attach: stdin is closed (or was not asked for)");
    if (!write_all_without_sigpipe(core_->stdin_fd, data))
      throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                         "runtime: attach: the container no longer reads its stdin (it exited)");
  }
  void close_stdin() override {
    std::lock_guard lock(core_->stdin_mutex);
    if (core_->stdin_fd < 0) return;
    close_fd(core_->stdin_fd);
    // With stdin_once the container's stdin ends with the first attach: the monitor lets
    // go of the FIFO, and the container reads end-of-file.
    if (core_->target.stdin_once && core_->target.monitor_pid > 0) ::kill(core_->target.monitor_pid, SIGUSR1);
  }
  // For a container on a terminal (tty: true): its monitor applies the size.
  void resize(uint16_t columns, uint16_t rows) override {
    if (!core_->target.tty) return;
    auto fifo = core_->target.container_dir / files::kTtySizeFifo;
    int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return;  // the container has exited: nothing to resize
    write_all_without_sigpipe(fd, std::to_string(columns) + " " + std::to_string(rows) + "\n");
    ::close(fd);
  }

 private:
  std::shared_ptr<AttachCore> core_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<StreamSession> start_attach_session(const AttachTarget& target, const StreamRequest& request,
                                                    StreamCallbacks callbacks) {
  auto core = std::make_shared<AttachCore>();
  core->callbacks = std::move(callbacks);
  core->target = target;
  core->want_stdout = request.stdout_;
  core->want_stderr = request.stderr_;
  core->merge_stderr = request.tty;
  if (request.stdin_) {
    auto fifo = target.container_dir / files::kStdinFifo;
    // Non-blocking open fails (ENXIO) instead of hanging when nobody reads the FIFO.
    core->stdin_fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (core->stdin_fd < 0)
      throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                         "runtime: attach: the container has no stdin to write to (" + fifo.string() + ": " +
                             std::strerror(errno) +
                             "); create it with stdin: true, and attach while it runs");
    ::fcntl(core->stdin_fd, F_SETFL, ::fcntl(core->stdin_fd, F_GETFL) & ~O_NONBLOCK);
  }
  core->inotify_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (core->inotify_fd < 0) streaming::throw_session_error("attach: cannot create an inotify instance");
  ::inotify_add_watch(core->inotify_fd, target.log_path.parent_path().c_str(),
                      IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
  ::inotify_add_watch(core->inotify_fd, target.container_dir.c_str(), IN_MOVED_TO | IN_ONLYDIR);
  // From the log's current end: attach shows what the container writes from now on.
  core->open_log(true);
  return std::make_unique<AttachSession>(std::move(core));
}

}  // namespace ukube::runtime::node
