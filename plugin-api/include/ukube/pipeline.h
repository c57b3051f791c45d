#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/auth.h"
#include "ukube/client.h"
#include "ukube/export.h"
#include "ukube/store.h"
#include "ukube/types.h"

// The kernel's request pipeline as front ends see it (DESIGN.md §4): authorize → mutating
// admission → defaulting → validation → validating admission → store → watch bus, for a
// caller already authenticated. Results are the encoded objects the store holds, so a
// front end sends them without re-encoding; LocalClient parses them for in-process callers.
namespace ukube {

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

class UKUBE_API RawWatch {
 public:
  virtual ~RawWatch();
  // Blocks up to `timeout`; nullopt when nothing came or the stream is done.
  virtual std::optional<RawWatchEvent> next(std::chrono::milliseconds timeout) = 0;
  // Non-blocking, for event loops: call until it returns nothing, then wait for on_ready().
  virtual std::vector<RawWatchEvent> poll(size_t max_events) = 0;
  virtual void on_ready(std::function<void()> notify) = 0;
  virtual bool done() const = 0;
  virtual void stop() = 0;
};

class UKUBE_API RequestPipeline {
 public:
  virtual ~RequestPipeline();

  // The registered type, or ApiError 404 as upstream answers for an unknown resource.
  virtual TypeInfoPtr resolve(const GroupVersionResource& gvr) const = 0;

  virtual store::Bytes get(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                           std::string_view name, const GetOptions& options = {},
                           std::string_view subresource = {}) = 0;
  virtual RawList list(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                       const ListOptions& options = {}) = 0;
  virtual std::unique_ptr<RawWatch> watch(const UserInfo& user, const GroupVersionResource& gvr,
                                          std::string_view ns, const ListOptions& options = {}) = 0;
  virtual store::Bytes create(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                              boost::json::object object, const WriteOptions& options = {}) = 0;
  // POST to a subresource of an existing object, e.g. pods/binding.
  virtual store::Bytes create_subresource(const UserInfo& user, const GroupVersionResource& gvr,
                                          std::string_view ns, std::string_view name,
                                          std::string_view subresource, boost::json::object body,
                                          const WriteOptions& options = {}) = 0;
  virtual store::Bytes update(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                              std::string_view name, boost::json::object object,
                              const WriteOptions& options = {}, std::string_view subresource = {}) = 0;
  virtual store::Bytes patch(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                             std::string_view name, PatchType type, std::string_view body,
                             const WriteOptions& options = {}, std::string_view subresource = {}) = 0;
  virtual store::Bytes remove(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                              std::string_view name, const DeleteOptions& options = {}) = 0;
  // Deletes every object the selectors match; returns what was deleted (or marked).
  virtual RawList delete_collection(const UserInfo& user, const GroupVersionResource& gvr,
                                    std::string_view ns, const ListOptions& selection,
                                    const DeleteOptions& options = {}) = 0;
};

}  // namespace ukube
