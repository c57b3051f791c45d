#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/auth.h"
#include "ukube/client.h"
#include "ukube/store.h"
#include "ukube/types.h"
#include "ukube/watch.h"

// The one path every request takes, from HTTP or from an in-process plugin (DESIGN.md §4):
// authorize → mutating admission → defaulting → validation → validating admission →
// store → watch bus. Results are the encoded objects the store holds, so a front end
// can send them without re-encoding; LocalClient parses them for in-process callers.
namespace ukube::pipeline {

struct RawList {
  std::vector<store::Bytes> items;
  int64_t revision = 0;
  std::string continue_token;
  std::optional<int64_t> remaining_item_count;
};

struct RawWatchEvent {
  WatchEventType type = WatchEventType::Added;
  store::Bytes object;
};

class RawWatch {
 public:
  virtual ~RawWatch() = default;
  // Blocks up to `timeout`; nullopt when nothing came or the stream is done.
  virtual std::optional<RawWatchEvent> next(std::chrono::milliseconds timeout) = 0;
  // Non-blocking, for event loops; pair with on_ready().
  virtual std::vector<RawWatchEvent> poll(size_t max_events) = 0;
  virtual void on_ready(std::function<void()> notify) = 0;
  virtual bool done() const = 0;
  virtual void stop() = 0;
};

class RequestPipeline {
 public:
  RequestPipeline(store::Store& store, watch::WatchBus& bus, TypeRegistry& types, AuthChains& auth);

  // The registered type, or ApiError 404 as upstream answers for an unknown resource.
  TypeInfoPtr resolve(const GroupVersionResource& gvr) const;
  std::string key_for(const TypeInfo& type, std::string_view ns, std::string_view name) const;

  store::Bytes get(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                   std::string_view name, const GetOptions& options = {}, std::string_view subresource = {});
  RawList list(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
               const ListOptions& options = {});
  std::unique_ptr<RawWatch> watch(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                                  const ListOptions& options = {});
  store::Bytes create(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                      boost::json::object object, const WriteOptions& options = {});
  store::Bytes update(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                      std::string_view name, boost::json::object object, const WriteOptions& options = {},
                      std::string_view subresource = {});
  store::Bytes patch(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                     std::string_view name, PatchType type, std::string_view body,
                     const WriteOptions& options = {}, std::string_view subresource = {});
  store::Bytes remove(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                      std::string_view name, const DeleteOptions& options = {});

 private:
  // Everything one request resolved before it touches the store.
  struct Target {
    TypeInfoPtr type;
    std::string ns;
    std::string name;
    std::string subresource;
    std::string key;
    const UserInfo* user;
  };
  Target target(const UserInfo& user, const char* verb, const GroupVersionResource& gvr, std::string_view ns,
                std::string_view name, std::string_view subresource) const;
  void admit_and_validate(const Target& t, AdmissionOperation op, boost::json::object& object,
                          const boost::json::object* old, bool dry_run);
  // Writes `object` over `old` (stored at `revision`); nullopt when the store saw a newer version.
  std::optional<store::Bytes> write_update(const Target& t, const store::KeyValue& current,
                                           const boost::json::object& old, boost::json::object object,
                                           const WriteOptions& options);

  store::Store& store_;
  watch::WatchBus& bus_;
  TypeRegistry& types_;
  AuthChains& auth_;
};

}  // namespace ukube::pipeline
