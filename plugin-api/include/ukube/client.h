#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/errors.h"
#include "ukube/export.h"
#include "ukube/types.h"

// The one interface every component is written against (DESIGN.md §4): LocalClient goes
// straight into the kernel's pipeline, RemoteClient (sdk) over HTTPS. Errors are thrown
// as ApiError with upstream's codes and reasons.
namespace ukube {

// Objects are shared and immutable once returned: copy before changing.
using ObjectPtr = std::shared_ptr<const boost::json::object>;

struct GetOptions {
  std::string resource_version;  // "" latest, "0" any
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;
  std::string continue_token;
  std::string resource_version;  // list: "" latest; watch: start point ("" / "0": send current state first)
  std::string resource_version_match;  // "", NotOlderThan, Exact
  bool allow_bookmarks = false;
  std::chrono::seconds timeout{0};  // watch: server closes the stream after this; 0 means no limit
  bool send_initial_events = false;
};

struct ObjectList {
  std::vector<ObjectPtr> items;
  std::string resource_version;
  std::string continue_token;
  std::optional<int64_t> remaining_item_count;
};

enum class FieldValidation { Ignore, Warn, Strict };

struct WriteOptions {
  bool dry_run = false;
  std::string field_manager;
  FieldValidation field_validation = FieldValidation::Ignore;
  bool force = false;  // server-side apply
  // Where the pipeline appends warnings for the caller (fieldValidation=Warn, deprecated
  // fields); null: warnings are dropped. Front ends send them as `Warning:` headers.
  std::vector<std::string>* warnings = nullptr;
  // Set to true when a patch (server-side apply) created the object rather than changed
  // it, so front ends can answer 201 as for a create; null: not reported.
  bool* created = nullptr;
  // False when the caller ignores the written object: in-process clients then skip
  // decoding it and return null (controllers' bindings, events, status patches).
  bool return_object = true;
  // False for best-effort creates (events, as upstream's recorder sends them in the
  // background): in-process clients return null once the object passed admission and
  // validation and its write is queued, without waiting for the commit; a conflict found
  // at commit (a name taken meanwhile) is then lost. Other writes always wait.
  bool wait_for_commit = true;
};

enum class PatchType { JsonMerge, JsonPatch, StrategicMerge, Apply };

struct DeleteOptions {
  std::optional<int64_t> grace_period_seconds;
  std::string propagation_policy;  // "", Orphan, Background, Foreground
  std::string precondition_uid;
  std::string precondition_resource_version;
  bool dry_run = false;
};

enum class WatchEventType { Added, Modified, Deleted, Bookmark, Error };
UKUBE_API std::string_view to_string(WatchEventType type);

struct WatchEvent {
  WatchEventType type = WatchEventType::Added;
  ObjectPtr object;  // Error: a metav1.Status
};

class UKUBE_API WatchStream {
 public:
  virtual ~WatchStream();
  // The next event, or nullopt when none came within `timeout` or the stream ended.
  // An abnormal end (410 Expired, too slow) is reported as an Error event first.
  virtual std::optional<WatchEvent> next(std::chrono::milliseconds timeout) = 0;
  virtual bool done() const = 0;
  virtual void stop() = 0;

  // For event loops that drive many streams from a few threads (shared informers).
  // The events ready now, at most `max_events`, without blocking; empty when none. The
  // default asks next() with no wait.
  virtual std::vector<WatchEvent> poll(size_t max_events);
  // Asks to be told when poll() may have news or the stream ended. `notify` runs on
  // another component's thread (a writer's): it must be quick and must not destroy the
  // stream. Returns false when this stream cannot notify (the default): poll it on a timer.
  virtual bool on_ready(std::function<void()> notify);
};

class UKUBE_API Client {
 public:
  virtual ~Client();

  virtual ObjectPtr get(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                        const GetOptions& options = {}, std::string_view subresource = {}) = 0;
  virtual ObjectList list(const GroupVersionResource& gvr, std::string_view ns,
                          const ListOptions& options = {}) = 0;
  virtual std::unique_ptr<WatchStream> watch(const GroupVersionResource& gvr, std::string_view ns,
                                             const ListOptions& options = {}) = 0;
  // `subresource` + `name` create on a subresource of an existing object (pods/binding).
  virtual ObjectPtr create(const GroupVersionResource& gvr, std::string_view ns,
                           const boost::json::object& object, const WriteOptions& options = {},
                           std::string_view subresource = {}, std::string_view name = {}) = 0;
  virtual ObjectPtr update(const GroupVersionResource& gvr, std::string_view ns,
                           const boost::json::object& object, const WriteOptions& options = {},
                           std::string_view subresource = {}) = 0;
  virtual ObjectPtr patch(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                          PatchType type, std::string_view patch, const WriteOptions& options = {},
                          std::string_view subresource = {}) = 0;
  // Returns the deleted object, or the object as marked for deletion while finalizers remain.
  virtual ObjectPtr remove(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                           const DeleteOptions& options = {}) = 0;
};

}  // namespace ukube
