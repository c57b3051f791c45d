#pragma once

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "tests/support/test_kernel.h"
#include "ukube/informer.h"

// What informer handlers were called with ("add NAME", "update NAME", "delete NAME"), in
// order, and a way to wait for an entry.
namespace ukube::testing {

struct HandlerLog {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> entries;

  InformerHandlers handlers() {
    return {[this](const ObjectPtr& o) { add("add " + meta(o, "name")); },
            [this](const ObjectPtr&, const ObjectPtr& o) { add("update " + meta(o, "name")); },
            [this](const ObjectPtr& o) { add("delete " + meta(o, "name")); }};
  }
  void add(std::string entry) {
    std::lock_guard lock(mutex);
    entries.push_back(std::move(entry));
    changed.notify_all();
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mutex);
    return entries;
  }
  bool contains(const std::string& entry) {
    std::lock_guard lock(mutex);
    return std::find(entries.begin(), entries.end(), entry) != entries.end();
  }
  bool wait_for(const std::string& entry, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex);
    return changed.wait_for(
        lock, timeout, [&] { return std::find(entries.begin(), entries.end(), entry) != entries.end(); });
  }
};

// An index of objects by their "app" label.
inline std::vector<std::string> by_app_label(const boost::json::object& o) {
  auto* labels = o.at("metadata").as_object().if_contains("labels");
  auto* app = labels ? labels->as_object().if_contains("app") : nullptr;
  return app ? std::vector<std::string>{std::string(app->as_string())} : std::vector<std::string>{};
}

}  // namespace ukube::testing
