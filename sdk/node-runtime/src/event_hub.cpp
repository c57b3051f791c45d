#include "ukube/node/event_hub.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <spdlog/logger.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "ukube/node/records.h"

namespace ukube::runtime::node {

EventHub::EventHub(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0)
    throw std::system_error(errno, std::generic_category(),
                            "runtime: cannot create an inotify instance to follow container exits "
                            "(raise fs.inotify.max_user_instances)");
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    ::close(inotify_fd_);
    throw std::system_error(errno, std::generic_category(), "runtime: cannot create an eventfd");
  }
  thread_ = std::thread([this] { run(); });
}

EventHub::~EventHub() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake();
  if (thread_.joinable()) thread_.join();
  ::close(inotify_fd_);
  ::close(wake_fd_);
}

void EventHub::watch_container(const std::string& container_id, const std::string& sandbox_id,
                               const std::filesystem::path& container_dir) {
  // started.json and exit.json arrive by rename (write_file_atomically).
  int wd = ::inotify_add_watch(inotify_fd_, container_dir.c_str(), IN_MOVED_TO | IN_ONLYDIR);
  if (wd < 0) {
    if (logger_)
      logger_->warn(
          "runtime: cannot watch {} for exits ({}); they are noticed by the periodic re-list "
          "only (raise fs.inotify.max_user_watches)",
          container_dir.string(), std::strerror(errno));
    return;
  }
  std::lock_guard lock(mutex_);
  watched_[wd] = Watched{container_id, sandbox_id};
  watch_of_container_[container_id] = wd;
}

void EventHub::unwatch_container(const std::string& container_id) {
  // An exit the kernel reported but this thread did not read yet still becomes its event.
  std::lock_guard reading(inotify_read_mutex_);
  read_inotify_events();
  std::lock_guard lock(mutex_);
  auto it = watch_of_container_.find(container_id);
  if (it == watch_of_container_.end()) return;
  ::inotify_rm_watch(inotify_fd_, it->second);
  watched_.erase(it->second);
  watch_of_container_.erase(it);
  wake();  // to deliver what was read above
}

void EventHub::publish(const ContainerEvent& event) {
  {
    // What the files said before this call (an exit a stop waited for) comes first: the
    // caller saw those files, so their events precede this one.
    std::lock_guard reading(inotify_read_mutex_);
    read_inotify_events();
    std::lock_guard lock(mutex_);
    queue_.push_back(event);
  }
  wake();
}

uint64_t EventHub::subscribe(ContainerEventHandler handler) {
  std::lock_guard lock(subscribers_mutex_);
  uint64_t id = next_subscription_++;
  subscribers_[id] = std::make_shared<ContainerEventHandler>(std::move(handler));
  return id;
}

void EventHub::unsubscribe(uint64_t subscription) {
  {
    std::lock_guard lock(subscribers_mutex_);
    subscribers_.erase(subscription);
  }
  // A handler unsubscribing itself runs on this thread, inside the dispatch lock.
  if (std::this_thread::get_id() != thread_.get_id()) std::lock_guard wait_for_dispatch(dispatch_mutex_);
}

bool EventHub::wait_until(const std::function<bool()>& done, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  for (;;) {
    uint64_t seen = exits_seen_;
    lock.unlock();
    if (done()) return true;
    lock.lock();
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    auto slice =
        std::min<std::chrono::steady_clock::duration>(deadline - now, std::chrono::milliseconds(250));
    exit_seen_.wait_for(lock, slice, [&] { return exits_seen_ != seen || stopping_; });
    if (stopping_) return done();
  }
}

void EventHub::wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void EventHub::run() {
  for (;;) {
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) {
      if (logger_) logger_->error("runtime: event thread stops: poll: {}", std::strerror(errno));
      return;
    }
    if (fds[1].revents & POLLIN) {
      uint64_t count;
      [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof count);
    }
    if (fds[0].revents & POLLIN) {
      std::lock_guard reading(inotify_read_mutex_);
      read_inotify_events();
    }
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    deliver_queued_events();
  }
}

void EventHub::read_inotify_events() {
  alignas(inotify_event) char buffer[16384];
  for (;;) {
    ssize_t n = ::read(inotify_fd_, buffer, sizeof buffer);
    if (n <= 0) return;
    std::lock_guard lock(mutex_);
    for (char* p = buffer; p < buffer + n;) {
      auto* event = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + event->len;
      if (event->mask & IN_IGNORED) {  // the folder is gone (container removed)
        auto it = watched_.find(event->wd);
        if (it != watched_.end()) {
          watch_of_container_.erase(it->second.container_id);
          watched_.erase(it);
        }
        continue;
      }
      if (event->len == 0) continue;
      // The monitor writes started.json, then exit.json: events in the order of the files.
      bool started = std::strcmp(event->name, files::kStarted) == 0;
      bool exited = std::strcmp(event->name, files::kExit) == 0;
      if (!started && !exited) continue;
      auto it = watched_.find(event->wd);
      if (it == watched_.end()) continue;
      if (exited) ++exits_seen_;
      queue_.push_back(ContainerEvent{it->second.container_id, it->second.sandbox_id,
                                      exited ? ContainerEventType::Stopped : ContainerEventType::Started,
                                      now_ns()});
    }
    exit_seen_.notify_all();
  }
}

void EventHub::deliver_queued_events() {
  for (;;) {
    ContainerEvent event;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty() || stopping_) return;
      event = std::move(queue_.front());
      queue_.pop_front();
    }
    std::vector<std::pair<uint64_t, std::shared_ptr<ContainerEventHandler>>> handlers;
    {
      std::lock_guard lock(subscribers_mutex_);
      handlers.assign(subscribers_.begin(), subscribers_.end());
    }
    std::lock_guard dispatch(dispatch_mutex_);
    for (const auto& [id, handler] : handlers) {
      {
        // Unsubscribed by an earlier handler of this event: no more calls.
        std::lock_guard lock(subscribers_mutex_);
        if (!subscribers_.count(id)) continue;
      }
      try {
        (*handler)(event);
      } catch (const std::exception& e) {
        if (logger_) logger_->warn("runtime: a container event handler threw: {}", e.what());
      }
    }
  }
}

}  // namespace ukube::runtime::node
