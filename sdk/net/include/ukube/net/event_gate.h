#pragma once

#include <boost/asio/post.hpp>
#include <mutex>
#include <utility>

// The only way from a foreign thread (a store writer's watch callback, a runtime's output
// callback) into a server's event loop. Once the server stops, the gate is shut and posts
// do nothing, so none reaches an io_context that is being torn down.
namespace ukube::net {

class EventGate {
 public:
  template <class Executor, class Handler>
  void post(const Executor& executor, Handler&& handler) {
    std::lock_guard lock(mu_);
    if (open_) boost::asio::post(executor, std::forward<Handler>(handler));
  }
  void close() {
    std::lock_guard lock(mu_);
    open_ = false;
  }

 private:
  std::mutex mu_;
  bool open_ = true;
};

}  // namespace ukube::net
